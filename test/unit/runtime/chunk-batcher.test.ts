import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChunkBatcher } from '../../../src/runtime/chunk-batcher.js';

function batcher(holdMs: number, maxBytes?: number): { delivered: string[]; held: ChunkBatcher } {
  const delivered: string[] = [];
  return { delivered, held: new ChunkBatcher((c) => delivered.push(c.toString()), holdMs, maxBytes) };
}

describe('ChunkBatcher', function () {
  it('hands chunks over at once when it holds nothing', function () {
    const { delivered, held } = batcher(0);
    held.push(Buffer.from('a'));
    assert.deepEqual(delivered, ['a']);
  });

  it('holds chunks for a moment and hands them over together, in order', async function () {
    const { delivered, held } = batcher(30);
    held.push(Buffer.from('a'));
    held.push(Buffer.from('b'));
    assert.deepEqual(delivered, []);
    await sleep(80);
    assert.deepEqual(delivered, ['a', 'b']);
    held.push(Buffer.from('c'));
    await sleep(80);
    assert.deepEqual(delivered, ['a', 'b', 'c']);
  });

  it('hands over at once when it holds too many bytes', function () {
    const { delivered, held } = batcher(10_000, 4);
    held.push(Buffer.from('ab'));
    assert.deepEqual(delivered, []);
    held.push(Buffer.from('cd'));
    assert.deepEqual(delivered, ['ab', 'cd']);
    held.drop();
  });

  it('flushes on demand, and drops what it holds when told', async function () {
    const { delivered, held } = batcher(30);
    held.push(Buffer.from('a'));
    held.flush();
    assert.deepEqual(delivered, ['a']);
    held.push(Buffer.from('b'));
    held.drop();
    await sleep(80);
    assert.deepEqual(delivered, ['a']);
  });
});

import assert from 'node:assert/strict';
import {
  CoalescingStatusWriter,
  composeMergePatches,
} from '../../../../src/operator/inspector/status-writer.js';
import { createLogger } from '../../../../src/observability/logger.js';

const quiet = createLogger('test', 'error');

describe('HostHealth status writer', function () {
  it('composes merge patches as the API server would apply them in turn', function () {
    assert.deepEqual(
      composeMergePatches(
        { state: 'Suspect', timeline: { T01: 'a' }, observers: [1] },
        { state: 'Down', timeline: { T03: 'c' }, observers: [2] },
      ),
      { state: 'Down', timeline: { T01: 'a', T03: 'c' }, observers: [2] },
    );
  });

  it('writes one host at a time, in order, merging what arrives during a write', async function () {
    const written: [string, Record<string, unknown>][] = [];
    let release: () => void = () => undefined;
    const writer = new CoalescingStatusWriter(async (name, status) => {
      written.push([name, status]);
      if (written.length === 1) await new Promise<void>((r) => (release = r));
    }, quiet);
    const first = writer.write('h1', { state: 'Suspect' });
    await new Promise((r) => setImmediate(r));
    const second = writer.write('h1', { state: 'Down', message: 'm' });
    const third = writer.write('h1', { timeline: { T03: 't' } });
    release();
    await Promise.all([first, second, third]);
    assert.deepEqual(written, [
      ['h1', { state: 'Suspect' }],
      ['h1', { state: 'Down', message: 'm', timeline: { T03: 't' } }],
    ]);
  });

  it('retries a failed write a bounded number of times', async function () {
    let calls = 0;
    const writer = new CoalescingStatusWriter(
      () => {
        calls++;
        return Promise.reject(new Error('409'));
      },
      quiet,
      1,
      3,
    );
    await assert.rejects(writer.write('h1', { state: 'Down' }), /409/);
    assert.equal(calls, 3);
  });
});

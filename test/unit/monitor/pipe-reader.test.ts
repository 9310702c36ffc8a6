import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readChunks } from '../../../src/monitor/pipe-reader.js';

describe('pipe reader', () => {
  it("hands a child's output to the callback straight from the reads, then ends the stream as usual", async () => {
    const child = spawn(
      process.execPath,
      ['-e', "for (let i = 0; i < 50; i++) process.stdout.write('line ' + i + '\\n');"],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const chunks: Buffer[] = [];
    readChunks(child.stdout, (chunk) => chunks.push(Buffer.from(chunk)));
    // A 'data' event would mean each read went through the stream's buffering after all.
    let dataEvents = 0;
    child.stdout.on('data', () => dataEvents++);
    await new Promise<void>((resolve) => child.stdout.once('end', () => resolve()));
    const text = Buffer.concat(chunks).toString('latin1');
    assert.equal(text.split('\n').filter(Boolean).length, 50);
    assert.ok(text.startsWith('line 0\n') && text.endsWith('line 49\n'));
    assert.equal(dataEvents, 0);
    assert.equal(child.stdout.readableLength, 0);
  });
});

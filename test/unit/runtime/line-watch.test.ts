import assert from 'node:assert/strict';
import { LineSplitter } from '../../../src/runtime/line-watch.js';

function split(chunks: string[], maxBytes?: number): { lines: string[]; error?: string } {
  const lines: string[] = [];
  const splitter = new LineSplitter((l) => lines.push(l.toString()), maxBytes);
  for (const chunk of chunks) {
    const err = splitter.push(Buffer.from(chunk));
    if (err) return { lines, error: err.message };
  }
  return { lines };
}

describe('LineSplitter', function () {
  it('emits each complete line of a chunk', function () {
    assert.deepEqual(split(['{"a":1}\n{"b":2}\n']).lines, ['{"a":1}', '{"b":2}']);
  });

  it('joins a line split across chunks and keeps an unfinished one until its end', function () {
    assert.deepEqual(split(['{"a":', '1}\n{"b"', ':2']).lines, ['{"a":1}']);
    assert.deepEqual(split(['{"a":', '1', '}\n{"b"', ':2}\n']).lines, ['{"a":1}', '{"b":2}']);
  });

  it('skips empty lines and CRLF leftovers', function () {
    assert.deepEqual(split(['\n\r\n{"a":1}\n']).lines, ['{"a":1}']);
  });

  it('keeps a multi-byte character split across chunks whole', function () {
    const bytes = Buffer.from('{"n":"é"}\n');
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l.toString()));
    splitter.push(bytes.subarray(0, 7));
    splitter.push(bytes.subarray(7));
    assert.deepEqual(lines, ['{"n":"é"}']);
  });

  it('fails once an unfinished line outgrows the bound, without buffering more', function () {
    const result = split(['{"a":1}\n', 'x'.repeat(6), 'y'.repeat(6)], 10);
    assert.deepEqual(result.lines, ['{"a":1}']);
    assert.equal(result.error, 'watch event longer than 10 bytes');
    // At the bound exactly a line is still accepted.
    assert.deepEqual(split(['x'.repeat(10), '\n'], 10).lines, ['x'.repeat(10)]);
  });
});

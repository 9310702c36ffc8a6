import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MemoryTrimmer, shouldTrim, type TrimPolicy } from '../../../src/runtime/memory-trim.js';

const MB = 1024 * 1024;
const policy: TrimPolicy = { slackBytes: 100 * MB, growthBytes: 50 * MB, minIntervalMs: 60_000 };

describe('memory trim', function () {
  it('trims when RSS exceeds the live heap and external memory by more than the slack', function () {
    const usage = { heapUsed: 60 * MB, external: 15 * MB };
    assert.equal(shouldTrim({ ...usage, rss: 175 * MB }, undefined, 0, policy), false, 'at the slack');
    assert.equal(shouldTrim({ ...usage, rss: 176 * MB }, undefined, 0, policy), true);
  });

  it('trims at most once per interval', function () {
    const usage = { rss: 400 * MB, heapUsed: 60 * MB, external: 15 * MB };
    const last = { at: 1_000, waste: 0 };
    assert.equal(shouldTrim(usage, last, 60_999, policy), false);
    assert.equal(shouldTrim(usage, last, 61_000, policy), true);
  });

  it('trims again only once the waste grew beyond what the last trim could not give back', function () {
    const last = { at: 0, waste: 150 * MB };
    const usage = (wasteMb: number) => ({ rss: (75 + wasteMb) * MB, heapUsed: 60 * MB, external: 15 * MB });
    assert.equal(shouldTrim(usage(200), last, 120_000, policy), false, 'above the slack, not the growth');
    assert.equal(shouldTrim(usage(201), last, 120_000, policy), true);
  });

  it('waits while the caller is busy, then trims once and reports it', function () {
    const trims: number[] = [];
    let quiet = false;
    const trimmer = new MemoryTrimmer({
      quiet: () => quiet,
      policy: { slackBytes: 0, growthBytes: 0, minIntervalMs: 60_000 },
      onTrim: (_before, _after, pauseMs) => trims.push(pauseMs),
    });
    assert.equal(trimmer.check(), false);
    quiet = true;
    assert.equal(trimmer.check(), true);
    assert.equal(trimmer.check(), false, 'not again within the interval');
    assert.equal(trims.length, 1);
    assert.ok(trims[0]! >= 0);
  });

  it('gives the pages a burst left behind back to the system', function () {
    this.timeout(60_000);
    // In a process of its own: a burst of garbage, then RSS before and after one trim.
    const module = fileURLToPath(new URL('../../../src/runtime/memory-trim.js', import.meta.url));
    const script = `
      const { trimMemory } = await import(${JSON.stringify(module)});
      const keep = [];
      for (let i = 0; i < 100000; i++) keep.push({ a: 'x' + i, b: [i] });
      for (let r = 0; r < 30; r++) { const g = []; for (let i = 0; i < 300000; i++) g.push({ s: 'y' + i + r, n: [i] }); }
      const before = process.memoryUsage().rss;
      trimMemory();
      console.log(JSON.stringify({ before, after: process.memoryUsage().rss, kept: keep.length }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    const { before, after } = JSON.parse(out) as { before: number; after: number };
    assert.ok(after < before / 2, `RSS ${Math.round(before / MB)} MB -> ${Math.round(after / MB)} MB`);
  });
});

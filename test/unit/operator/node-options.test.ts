import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { operatorNodeOptions } from '../../../src/operator/node-options.js';

const module = fileURLToPath(new URL('../../../src/operator/node-options.js', import.meta.url));

/** The largest heap of a process (MB) that keeps a live set and replaces mid-lived objects: each lives
 * long enough to be promoted, then dies (as each monitor's latest verdicts do under heartbeats). */
function peakHeapMb(withOperatorFlags: boolean): number {
  const script = `
    import v8 from 'node:v8';
    const { applyOperatorV8Flags } = await import(${JSON.stringify(module)});
    if (${withOperatorFlags}) applyOperatorV8Flags();
    const live = [];
    for (let i = 0; i < 150000; i++) live.push({ a: i, b: 'x' + i });
    const ring = new Array(600000);
    let peak = 0;
    for (let i = 0; i < 6000000; i++) {
      ring[i % ring.length] = { i, s: 'y' + i };
      if (i % 10000 === 0) peak = Math.max(peak, v8.getHeapStatistics().total_heap_size);
    }
    console.log(JSON.stringify({ peak, kept: live.length + ring.length }));
  `;
  const out = execFileSync(
    process.execPath,
    [...operatorNodeOptions.split(' '), '--input-type=module', '-e', script],
    { encoding: 'utf8' },
  );
  return (JSON.parse(out) as { peak: number }).peak / 2 ** 20;
}

describe('operator V8 flags', function () {
  it('keep the heap near its live size while promoted objects keep dying', function () {
    this.timeout(60_000);
    const bounded = peakHeapMb(true);
    const unbounded = peakHeapMb(false);
    // Live: about 75 MB; V8's own growth let the heap reach more than three times that.
    assert.ok(bounded < 160, `peak heap ${bounded.toFixed(0)} MB with the operator's flags`);
    assert.ok(unbounded > bounded * 1.5, `peak heap ${unbounded.toFixed(0)} MB without them`);
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { operatorNodeOptions } from '../../../src/operator/node-options.js';

const command = fileURLToPath(new URL('../../../src/operator/command.js', import.meta.url));

/** The largest heap of a process (MB) that keeps a live set and replaces mid-lived objects: each lives
 * long enough to be promoted, then dies (as each monitor's latest verdicts do under heartbeats). With
 * `asOperator`, the process first goes through `doctor operator`, which stops at the missing kubeconfig
 * after setting up the process as the operator runs. */
function peakHeapMb(asOperator: boolean): number {
  const script = `
    import v8 from 'node:v8';
    const { runOperatorCommand } = await import(${JSON.stringify(command)});
    if (${asOperator} && (await runOperatorCommand(['--kubeconfig', '/nonexistent/kubeconfig'])) !== 2)
      throw new Error('doctor operator did not stop at the missing kubeconfig');
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
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  // The operator's own log lines come first.
  return (JSON.parse(out.trim().split('\n').at(-1)!) as { peak: number }).peak / 2 ** 20;
}

describe('operator V8 flags', function () {
  it('doctor operator keeps the heap near its live size while promoted objects keep dying', function () {
    this.timeout(60_000);
    const bounded = peakHeapMb(true);
    const unbounded = peakHeapMb(false);
    // Live: about 75 MB and the operator's modules; V8's own growth took the heap to about 320 MB.
    assert.ok(bounded < 200, `peak heap ${bounded.toFixed(0)} MB in the operator`);
    assert.ok(unbounded > bounded * 1.5, `peak heap ${unbounded.toFixed(0)} MB in a plain process`);
  });
});

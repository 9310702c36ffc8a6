// `make cluster-up` leaves a working control plane behind and `make cluster-down` removes every process.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../../tools/cluster/exec.js';
import { binaryPath, clusterDir, repoRoot } from '../../tools/cluster/paths.js';
import { isAlive } from '../../tools/cluster/process.js';

const cli = join(repoRoot, 'dist/tools/cluster/cli.js');

describe('cluster-up / cluster-down', function () {
  this.timeout(120_000);
  let pids: number[] = [];

  after(async function () {
    await runCommand('node', [cli, 'down'], { timeoutMs: 60_000 });
  });

  it('starts a cluster that outlives the command, then stops all of it', async function () {
    const up = await runCommand('node', [cli, 'up'], { timeoutMs: 90_000 });
    assert.equal(up.code, 0, up.stderr + up.stdout);
    const runDir = readFileSync(join(clusterDir, 'current-run'), 'utf8').trim();
    pids = (
      JSON.parse(readFileSync(join(runDir, 'pids.json'), 'utf8')) as { components: { pid: number }[] }
    ).components.map((c) => c.pid);
    assert.equal(pids.length, 5);
    assert.ok(pids.every(isAlive), 'every component is still running after cluster-up returned');

    const nodes = await runCommand(binaryPath('kubectl'), [
      '--kubeconfig',
      join(clusterDir, 'kubeconfig'),
      'get',
      'nodes',
    ]);
    assert.equal(nodes.code, 0, nodes.stderr);

    const down = await runCommand('node', [cli, 'down'], { timeoutMs: 60_000 });
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(pids.filter(isAlive), [], 'no component survives cluster-down');
  });
});

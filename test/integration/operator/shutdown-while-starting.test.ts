// A SIGTERM that reaches the operator while its caches are still syncing (here: an API server behind a
// path that silently dropped every byte) stops it cleanly, with code 0 and within its shutdown time,
// rather than killing it mid-start. A Deployment rollout or a `kubectl delete pod` can land at any moment.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster } from '../../../tools/cluster/cluster.js';
import { kubeconfigVia } from '../../../tools/cluster/kube/token-kubeconfig.js';
import { startOperatorProcess, type OperatorProcess } from '../../../tools/demo/operator-process.js';
import { startBlackholeProxy, type BlackholeProxy } from '../../support/blackhole-proxy.js';
import { sharedCluster } from '../../support/shared-cluster.js';

describe('operator stopped while it starts', function () {
  this.timeout(120_000);
  let cluster: Cluster;
  let proxy: BlackholeProxy | undefined;
  let operator: OperatorProcess | undefined;
  let dir: string;

  before(async function () {
    cluster = await sharedCluster();
    dir = mkdtempSync(join(tmpdir(), 'shutdown-while-starting-'));
  });

  after(async function () {
    if (operator?.process.hasExited() === false) await operator.kill();
    await proxy?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits with code 0 within its shutdown time on a SIGTERM before its caches sync', async function () {
    const { hostname, port } = new URL(cluster.server);
    proxy = await startBlackholeProxy({ host: hostname, port: Number(port) });
    proxy.blackhole();
    const kubeconfig = join(dir, 'kubeconfig');
    kubeconfigVia(cluster.kubeconfigPath, `https://127.0.0.1:${proxy.port}`, kubeconfig);
    const logDir = join(dir, 'logs');
    mkdirSync(logDir, { recursive: true });
    operator = await startOperatorProcess({
      kubeconfig,
      logDir,
      identity: 'stopped-while-starting',
      extraArgs: ['--lease-name', 'stopped-while-starting'],
    });
    assert.equal(await operator.isReady(), false, 'Ready although no cache could sync');

    // stop() fails unless the process exits by itself, with code 0, within the shutdown bound.
    await operator.stop();
    const log = readFileSync(operator.process.logPath, 'utf8');
    assert.match(log, /"message":"shutting down".*"whileStarting":true/);
    assert.doesNotMatch(log, /"message":"operator started"/, 'it went on starting after the SIGTERM');
  });
});

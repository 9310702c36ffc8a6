// The operator's API client reuses keep-alive connections to the real API server, bounded per identity:
// counted as TCP connections through a proxy in front of the API server.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import type { Cluster } from '../../../tools/cluster/cluster.js';
import { kubeconfigVia } from '../../../tools/cluster/kube/token-kubeconfig.js';
import { loadKubeConfig } from '../../../src/operator/command.js';
import { maxConnectionsPerPool } from '../../../src/runtime/kube-connections.js';
import { startBlackholeProxy, type BlackholeProxy } from '../../support/blackhole-proxy.js';
import { sharedCluster } from '../../support/shared-cluster.js';

const namespace = 'default';
const label = 'doctor.io/kube-connections-test';

describe('connections to the API server', function () {
  this.timeout(120_000);
  let cluster: Cluster;
  let proxy: BlackholeProxy;
  let dir: string;
  let viaProxy: string;

  before(async function () {
    cluster = await sharedCluster();
    dir = mkdtempSync(join(tmpdir(), 'kube-connections-'));
    viaProxy = join(dir, 'kubeconfig');
  });
  beforeEach(async function () {
    const { hostname, port } = new URL(cluster.server);
    proxy = await startBlackholeProxy({ host: hostname, port: Number(port) });
    kubeconfigVia(cluster.kubeconfigPath, `https://127.0.0.1:${proxy.port}`, viaProxy);
  });
  afterEach(async function () {
    await proxy.close();
  });
  after(async function () {
    const admin = new k8s.KubeConfig();
    admin.loadFromFile(cluster.kubeconfigPath);
    await admin
      .makeApiClient(k8s.CoreV1Api)
      .deleteCollectionNamespacedConfigMap({ namespace, labelSelector: label })
      .catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends one request after another over one connection', async function () {
    const core = loadKubeConfig(viaProxy).makeApiClient(k8s.CoreV1Api);
    for (let i = 0; i < 10; i++) await core.readNamespace({ name: namespace });
    assert.equal(proxy.accepted(), 1);
  });

  it('without it, client-node opens a connection per request', async function () {
    const config = new k8s.KubeConfig();
    config.loadFromFile(viaProxy);
    const core = config.makeApiClient(k8s.CoreV1Api);
    for (let i = 0; i < 5; i++) await core.readNamespace({ name: namespace });
    assert.equal(proxy.accepted(), 5);
  });

  it('queues a burst of writes on a bounded set of connections, every write succeeding', async function () {
    const core = loadKubeConfig(viaProxy).makeApiClient(k8s.CoreV1Api);
    const writes = 200;
    const results = await Promise.allSettled(
      Array.from({ length: writes }, (_, i) =>
        core.createNamespacedConfigMap({
          namespace,
          body: {
            metadata: { name: `kube-connections-${i}`, labels: { [label]: 'true' } },
            data: { i: `${i}` },
          },
        }),
      ),
    );
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.deepEqual(
      failed.map((r) => String(r.reason)),
      [],
    );
    assert.ok(proxy.accepted() <= maxConnectionsPerPool, `${proxy.accepted()} connections`);
    // The warm connections carry the next burst: no new ones.
    const before = proxy.accepted();
    await Promise.all(
      Array.from({ length: writes }, (_, i) =>
        core.readNamespacedConfigMap({ name: `kube-connections-${i}`, namespace }),
      ),
    );
    assert.equal(proxy.accepted(), before);
  });
});

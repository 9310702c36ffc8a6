// The informers' watch against the real API server: events arrive parsed, a quiet watch ends with a
// timeout the informer resumes from, a refused watch ends with the status, and aborting it calls nothing.
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import type { Cluster } from '../../../tools/cluster/cluster.js';
import { loadKubeConfig } from '../../../src/operator/command.js';
import { LineWatch, type LineWatchOptions } from '../../../src/runtime/line-watch.js';
import { sharedCluster } from '../../support/shared-cluster.js';
import { startBlackholeProxy } from '../../support/blackhole-proxy.js';
import { kubeconfigVia } from '../../../tools/cluster/kube/token-kubeconfig.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const namespace = 'default';
const label = 'doctor.io/line-watch-test';

interface Seen {
  events: Array<{ type: string; name: string | undefined }>;
  done: Promise<unknown>;
}

async function watchConfigMaps(
  config: k8s.KubeConfig,
  query: Record<string, string>,
  inactivityMs = 30_000,
  options: LineWatchOptions = {},
): Promise<Seen & { controller: AbortController }> {
  const events: Seen['events'] = [];
  let resolveDone!: (err: unknown) => void;
  const done = new Promise<unknown>((r) => (resolveDone = r));
  const controller = await new LineWatch(config, inactivityMs, options).watch(
    `/api/v1/namespaces/${namespace}/configmaps`,
    { labelSelector: label, ...query },
    (type, object) => events.push({ type, name: (object as k8s.V1ConfigMap).metadata?.name }),
    resolveDone,
  );
  return { events, done, controller };
}

async function until(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the informers watch (LineWatch)', function () {
  this.timeout(60_000);
  let cluster: Cluster;
  let config: k8s.KubeConfig;
  let core: k8s.CoreV1Api;

  before(async function () {
    cluster = await sharedCluster();
    config = loadKubeConfig(cluster.kubeconfigPath);
    core = config.makeApiClient(k8s.CoreV1Api);
  });
  after(async function () {
    await core
      .deleteCollectionNamespacedConfigMap({ namespace, labelSelector: label })
      .catch(() => undefined);
  });

  it('delivers added, modified and deleted objects, parsed, in order', async function () {
    const list = await core.listNamespacedConfigMap({ namespace, labelSelector: label });
    const watch = await watchConfigMaps(config, { resourceVersion: list.metadata!.resourceVersion! });
    try {
      const name = 'line-watch-a';
      await core.createNamespacedConfigMap({
        namespace,
        body: { metadata: { name, labels: { [label]: 'x' } }, data: { v: '1' } },
      });
      await core.patchNamespacedConfigMap(
        { namespace, name, body: { data: { v: '2' } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      await core.deleteNamespacedConfigMap({ namespace, name });
      await until('three events', () => watch.events.length >= 3);
      assert.deepEqual(watch.events, [
        { type: 'ADDED', name },
        { type: 'MODIFIED', name },
        { type: 'DELETED', name },
      ]);
    } finally {
      watch.controller.abort();
    }
  });

  it('holds events to hand them over together, and hands over those held before the watch ends', async function () {
    const list = await core.listNamespacedConfigMap({ namespace, labelSelector: label });
    // The API server ends this watch after a second; the events wait far longer than that.
    const watch = await watchConfigMaps(
      config,
      { resourceVersion: list.metadata!.resourceVersion!, timeoutSeconds: '1' },
      30_000,
      { batchMs: 60_000 },
    );
    const name = 'line-watch-held';
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name, labels: { [label]: 'x' } }, data: { v: '1' } },
    });
    await core.deleteNamespacedConfigMap({ namespace, name });
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(watch.events, [], 'held');
    assert.equal(await watch.done, null);
    assert.deepEqual(watch.events, [
      { type: 'ADDED', name },
      { type: 'DELETED', name },
    ]);
  });

  it('ends a watch that receives nothing with a TimeoutError (resumed by ListWatch without a relist)', async function () {
    const list = await core.listNamespacedConfigMap({ namespace, labelSelector: label });
    const watch = await watchConfigMaps(config, { resourceVersion: list.metadata!.resourceVersion! }, 300);
    const err = (await watch.done) as Error;
    assert.equal(err.name, 'TimeoutError');
  });

  it('ends a refused watch with the status code, for ListWatch to relist on 410', async function () {
    const watch = await watchConfigMaps(config, { fieldSelector: 'no.such.field=1' });
    const err = (await watch.done) as { statusCode?: number };
    assert.equal(err.statusCode, 400);
  });

  it('calls nothing once the caller aborted it', async function () {
    const watch = await watchConfigMaps(config, {}, 300);
    watch.controller.abort();
    const outcome = await Promise.race([
      watch.done.then(() => 'done'),
      new Promise((r) => setTimeout(() => r('quiet'), 1000)),
    ]);
    assert.equal(outcome, 'quiet');
  });

  it('survives the connection closing after a watch was aborted before its answer (no uncaught error)', async function () {
    const { hostname, port } = new URL(cluster.server);
    const proxy = await startBlackholeProxy({ host: hostname, port: Number(port) });
    const dir = mkdtempSync(join(tmpdir(), 'line-watch-'));
    try {
      const path = join(dir, 'kubeconfig');
      kubeconfigVia(cluster.kubeconfigPath, `https://127.0.0.1:${proxy.port}`, path);
      const viaProxy = loadKubeConfig(path);
      const open = await watchConfigMaps(viaProxy, {});
      await new Promise((r) => setTimeout(r, 300));
      const cancelled = await watchConfigMaps(viaProxy, {});
      cancelled.controller.abort();
      await new Promise((r) => setTimeout(r, 300));
      await proxy.close();
      // The open watch ends with the connection; an uncaught error here would fail this test.
      assert.ok((await open.done) instanceof Error);
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await proxy.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

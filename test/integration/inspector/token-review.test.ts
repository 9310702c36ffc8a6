// The TokenReview authenticator against a real API server reached through a TCP relay the test can cut:
// a monitor token reviewed before the outage keeps being accepted, a token never reviewed is refused
// (fails closed), and the node the token is bound to is the reporter's observer.
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import * as k8s from '@kubernetes/client-node';
import { tokenReviewAuthentication } from '../../../src/intake/authenticator.js';
import type { Cluster } from '../../../tools/cluster/cluster.js';
import { waitFor } from '../../../tools/cluster/wait.js';
import { kubeClients, type KubeClients } from '../../../tools/cluster/kube/client.js';
import { installOperatorPrerequisites, operatorNamespace } from '../../../tools/cluster/kube/install.js';
import { createKwokNode, deleteNodes } from '../../../tools/cluster/kube/nodes.js';
import { monitorPodToken } from '../../../tools/cluster/kube/pod-token.js';
import { sharedCluster } from '../../support/shared-cluster.js';

/** Forwards 127.0.0.1:<port> to the API server until cut. */
async function relay(target: URL): Promise<{ port: number; cut: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    cut: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('inspector TokenReview authentication through an API server outage', function () {
  this.timeout(120_000);
  let cluster: Cluster;
  let kube: KubeClients;
  const node = 'review-node-1';
  const podName = 'review-monitor';

  before(async function () {
    cluster = await sharedCluster();
    kube = kubeClients(cluster.kubeconfigPath);
    await installOperatorPrerequisites(cluster, kube);
    await createKwokNode(kube.core, { name: node, labels: {}, internalIP: '198.18.9.1' });
    await kube.core.createNamespacedPod({
      namespace: operatorNamespace,
      body: {
        metadata: { name: podName },
        spec: {
          nodeName: node,
          serviceAccountName: 'doctor-monitor',
          containers: [{ name: 'monitor', image: 'doctor-operator:test' }],
        },
      },
    });
  });

  after(async function () {
    await kube?.core
      .deleteNamespacedPod({ name: podName, namespace: operatorNamespace, gracePeriodSeconds: 0 })
      .catch(() => undefined);
    if (kube) await deleteNodes(kube.core, [node]);
  });

  const podToken = () => monitorPodToken(cluster, podName);

  it('keeps accepting a reviewed token while the API server is unreachable, and refuses new ones', async function () {
    const link = await relay(new URL(cluster.server));
    const config = new k8s.KubeConfig();
    config.loadFromFile(cluster.kubeconfigPath);
    const current = config.getCurrentCluster()!;
    config.clusters = config.clusters.map((c) =>
      c.name === current.name ? { ...c, server: `https://127.0.0.1:${link.port}` } : c,
    );
    // freshMs 0: every call asks the API server again, so only the outage rule can accept it.
    const authenticator = tokenReviewAuthentication(config.makeApiClient(k8s.AuthenticationV1Api), {
      audience: 'doctor-inspector',
      allowedUsers: [`system:serviceaccount:${operatorNamespace}:doctor-monitor`],
      freshMs: 0,
    });
    const reviewed = await podToken();
    const unseen = await podToken();
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

    const before = await waitFor('the pod token to be accepted', async () => {
      const result = await authenticator.authenticate(bearer(reviewed));
      return result.ok ? result : undefined;
    });
    assert.equal(before.identity.observer, node, 'the observer is the node the token is bound to');

    await link.cut();
    const during = await authenticator.authenticate(bearer(reviewed));
    assert.ok(during.ok, `reviewed token refused during the outage: ${JSON.stringify(during)}`);
    assert.equal(during.identity.observer, node);
    const fresh = await authenticator.authenticate(bearer(unseen));
    assert.ok(!fresh.ok);
    assert.equal(fresh.status, 503);
    assert.match(fresh.error, /could not verify the token/);
  });
});

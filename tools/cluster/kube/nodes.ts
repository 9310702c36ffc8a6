// kwok-managed Nodes for tests: kwok fakes their kubelet (Ready, Pods Running); the test chooses their
// labels and the InternalIP monitors will probe (a network-namespace address in 198.18.0.0/15).
import type * as k8s from '@kubernetes/client-node';
import { kwokNodeAnnotation } from '../components.js';
import { waitFor } from '../wait.js';

export interface FakeNodeSpec {
  name: string;
  labels?: Record<string, string>;
  internalIP?: string;
}

export async function createKwokNode(core: k8s.CoreV1Api, spec: FakeNodeSpec): Promise<k8s.V1Node> {
  const node = await core.createNode({
    body: {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: spec.name,
        labels: { 'kubernetes.io/hostname': spec.name, type: 'kwok', ...spec.labels },
        annotations: { [kwokNodeAnnotation.key]: kwokNodeAnnotation.value },
      },
      // kwok's fake kubelet would schedule nothing without a taint-free, schedulable node.
      spec: {},
    },
  });
  if (spec.internalIP) await setNodeInternalIP(core, spec.name, spec.internalIP);
  return node;
}

/** Nodes `names` with the same labels, the i-th at InternalIP `${subnet}.${i + 1}` (a /24 in 198.18.0.0/15). */
export async function createKwokNodes(
  core: k8s.CoreV1Api,
  names: readonly string[],
  options: { labels: Record<string, string>; subnet: string },
): Promise<void> {
  for (const [i, name] of names.entries())
    await createKwokNode(core, { name, labels: options.labels, internalIP: `${options.subnet}.${i + 1}` });
}

/** Writes the node's addresses; kwok keeps addresses it finds instead of inventing its own. */
export async function setNodeInternalIP(
  core: k8s.CoreV1Api,
  name: string,
  internalIP: string,
): Promise<void> {
  await waitFor(
    `node ${name} to accept its InternalIP ${internalIP}`,
    async () => {
      const node = await core.readNodeStatus({ name });
      node.status = {
        ...node.status,
        addresses: [
          { type: 'InternalIP', address: internalIP },
          { type: 'Hostname', address: name },
        ],
      };
      await core.replaceNodeStatus({ name, body: node });
      return true;
    },
    { timeoutMs: 20_000 },
  );
}

export function isNodeReady(node: k8s.V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export async function waitForNodesReady(
  core: k8s.CoreV1Api,
  names: string[],
  timeoutMs = 60_000,
): Promise<void> {
  await waitFor(
    `nodes ${names.join(', ')} to be Ready`,
    async () => {
      const nodes = await Promise.all(names.map((name) => core.readNode({ name })));
      return nodes.every(isNodeReady) ? true : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  );
}

export function internalIP(node: k8s.V1Node): string | undefined {
  return node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
}

export async function deleteNodes(core: k8s.CoreV1Api, names: string[]): Promise<void> {
  await Promise.all(
    names.map((name) =>
      core.deleteNode({ name }).catch((err: unknown) => {
        if ((err as { code?: number }).code !== 404) throw err;
      }),
    ),
  );
}

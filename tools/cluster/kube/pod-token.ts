// A token for the monitor ServiceAccount bound to one Pod, as the kubelet projects it into a monitor Pod
// (audience doctor-inspector): the API server's TokenReview then names the Pod's node.
import type { Cluster } from '../cluster.js';
import { operatorNamespace } from './install.js';

export async function monitorPodToken(cluster: Cluster, podName: string): Promise<string> {
  const created = await cluster.kubectl([
    '-n',
    operatorNamespace,
    'create',
    'token',
    'doctor-monitor',
    '--audience',
    'doctor-inspector',
    '--bound-object-kind',
    'Pod',
    '--bound-object-name',
    podName,
    '--duration',
    '10m',
  ]);
  if (created.code !== 0) throw new Error(`kubectl create token failed: ${created.stderr}`);
  return created.stdout.trim();
}

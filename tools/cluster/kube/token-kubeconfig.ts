// Kubeconfigs derived from the test cluster's: one that authenticates with a ServiceAccount token
// instead of the admin certificate (the operator runs with exactly the permissions a test grants it),
// and one that reaches the API server through another address (a proxy).
import { readFileSync, writeFileSync } from 'node:fs';
import yaml from 'js-yaml';
import type { Cluster } from '../cluster.js';

interface KubeconfigFile {
  clusters: { name: string; cluster: Record<string, string> }[];
  users: { name: string; user: Record<string, string> }[];
  contexts: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
  'current-context': string;
}

/** Writes the admin kubeconfig's cluster with a token user to `path`. */
export function tokenKubeconfig(adminKubeconfig: string, token: string, path: string): void {
  const config = yaml.load(readFileSync(adminKubeconfig, 'utf8')) as KubeconfigFile;
  const context = config.contexts.find((c) => c.name === config['current-context'])!;
  const cluster = config.clusters.find((c) => c.name === context.context.cluster)!;
  const tokenConfig: KubeconfigFile = {
    clusters: [cluster],
    users: [{ name: 'token-user', user: { token } }],
    contexts: [{ name: 'token', context: { cluster: cluster.name, user: 'token-user' } }],
    'current-context': 'token',
  };
  writeFileSync(path, yaml.dump({ apiVersion: 'v1', kind: 'Config', ...tokenConfig }), { mode: 0o600 });
}

/** The admin kubeconfig with its API server address replaced (e.g. by a proxy's). */
export function kubeconfigVia(adminKubeconfig: string, server: string, path: string): void {
  const config = yaml.load(readFileSync(adminKubeconfig, 'utf8')) as KubeconfigFile;
  config.clusters = config.clusters.map((c) => ({ ...c, cluster: { ...c.cluster, server } }));
  writeFileSync(path, yaml.dump(config), { mode: 0o600 });
}

/** A one-hour token of a ServiceAccount. */
export async function serviceAccountToken(
  cluster: Pick<Cluster, 'kubectl'>,
  namespace: string,
  serviceAccount: string,
  extra: string[] = [],
): Promise<string> {
  const result = await cluster.kubectl([
    'create',
    'token',
    serviceAccount,
    '--namespace',
    namespace,
    '--duration=1h',
    ...extra,
  ]);
  if (result.code !== 0) throw new Error(`kubectl create token ${serviceAccount}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

// Running the helm CLI (built by `make kube-bin`) against the chart and the test cluster, with its cache
// and config in a temporary folder so tests never touch the user's ~/.config/helm.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { Cluster } from '../../../tools/cluster/cluster.js';
import { runCommand, type CommandResult } from '../../../tools/cluster/exec.js';
import { binaryPath, repoRoot } from '../../../tools/cluster/paths.js';

export const chartDir = join(repoRoot, 'helm/doctor-operator');
export const releaseName = 'doctor-operator';

/** The chart README's example: a proxy and a Keystone CA bundle mounted into the operator. */
export const keystoneCaValues = [
  'operator.extraEnv[0].name=HTTPS_PROXY',
  'operator.extraEnv[0].value=http://proxy.example:3128',
  'operator.extraVolumes[0].name=keystone-ca',
  'operator.extraVolumes[0].secret.secretName=keystone-tls-public',
  'operator.extraVolumeMounts[0].name=keystone-ca',
  'operator.extraVolumeMounts[0].mountPath=/etc/doctor/keystone-ca',
];

let helmHome: string | undefined;

function helmEnv(): NodeJS.ProcessEnv {
  helmHome ??= mkdtempSync(join(tmpdir(), 'doctor-helm-'));
  return {
    ...process.env,
    HELM_CACHE_HOME: join(helmHome, 'cache'),
    HELM_CONFIG_HOME: join(helmHome, 'config'),
    HELM_DATA_HOME: join(helmHome, 'data'),
  };
}

/** The Kubernetes version the tests run: `helm template` and `helm lint` check the chart's kubeVersion
 * against it (a helm built from its Go module would assume v1.20 otherwise). */
export const kubeVersion = readFileSync(join(repoRoot, 'tools/kube/VERSION'), 'utf8').trim();

/** Runs helm; with a cluster, against its kubeconfig. Never throws on a non-zero exit. */
export function runHelm(args: string[], cluster?: Pick<Cluster, 'kubeconfigPath'>): Promise<CommandResult> {
  const target = cluster ? ['--kubeconfig', cluster.kubeconfigPath] : [];
  const offline =
    ['template', 'lint'].includes(args[0] ?? '') && !args.some((a) => a.startsWith('--kube-version'));
  const version = offline ? ['--kube-version', kubeVersion] : [];
  return runCommand(binaryPath('helm'), [...args, ...version, ...target], {
    env: helmEnv(),
    timeoutMs: 120_000,
  });
}

/** Runs helm and returns its stdout; a non-zero exit is an error carrying helm's message. */
export async function helm(args: string[], cluster?: Pick<Cluster, 'kubeconfigPath'>): Promise<string> {
  const result = await runHelm(args, cluster);
  if (result.code !== 0) {
    throw new Error(`helm ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  }
  return result.stdout;
}

export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

/** `helm template` of the chart, parsed. `values` are --set pairs. */
export async function renderChart(namespace: string, values: string[] = []): Promise<RenderedObject[]> {
  const out = await helm([
    'template',
    releaseName,
    chartDir,
    '--namespace',
    namespace,
    ...values.flatMap((v) => ['--set', v]),
  ]);
  return yaml.loadAll(out).filter((doc): doc is RenderedObject => doc !== null && typeof doc === 'object');
}

export function findObject(objects: RenderedObject[], kind: string, name: string): RenderedObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) {
    const present = objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ');
    throw new Error(`the chart rendered no ${kind}/${name}; it rendered: ${present}`);
  }
  return found;
}

/** A fresh namespace name per test, so releases never meet leftovers of another run. */
export function uniqueNamespace(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/** `helm install` without --wait (the test cluster's Pods are kwok's): objects are created, that is all. */
export async function installRelease(
  cluster: Cluster,
  namespace: string,
  values: string[] = [],
): Promise<string> {
  return helm(
    [
      'install',
      releaseName,
      chartDir,
      '--namespace',
      namespace,
      '--create-namespace',
      ...values.flatMap((v) => ['--set', v]),
    ],
    cluster,
  );
}

/** Uninstalls the release (removing its cluster-scoped RBAC) and deletes the namespace; never throws, so it
 * is safe in after() hooks. The CRDs stay: other suites use the same ones. */
export async function removeRelease(cluster: Cluster | undefined, namespace: string): Promise<void> {
  if (!cluster) return;
  const uninstall = await runHelm(
    ['uninstall', releaseName, '--namespace', namespace, '--ignore-not-found'],
    cluster,
  );
  if (uninstall.code !== 0) process.stderr.write(`helm uninstall in ${namespace}: ${uninstall.stderr}\n`);
  await cluster.kubectl(['delete', 'namespace', namespace, '--ignore-not-found', '--wait=false']);
}

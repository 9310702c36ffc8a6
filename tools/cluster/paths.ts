// Where the control-plane binaries and run folders live. The binaries are built by tools/kube/build.sh
// (`make kube-bin`); everything a run writes goes under .cache/cluster so `make clean` keeps the binaries.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file compiles to dist/tools/cluster/). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export const kubeVersion = readFileSync(join(repoRoot, 'tools/kube/VERSION'), 'utf8').trim();

export const clusterDir = join(repoRoot, '.cache/cluster');

export const componentBinaries = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubectl',
  'kwok',
] as const;
export type ComponentBinary = (typeof componentBinaries)[number];

export function kubeBinDir(): string {
  return process.env.KUBE_BIN ?? join(repoRoot, '.cache/kube', kubeVersion, 'bin');
}

/** Path of a binary, or an error telling the user which command builds it. */
export function binaryPath(name: ComponentBinary | 'helm'): string {
  const path = join(kubeBinDir(), name);
  if (!existsSync(path)) {
    throw new Error(`${name} not found at ${path}. Build the control-plane binaries first: make kube-bin`);
  }
  return path;
}

// Applying YAML the way a user does: kubectl apply (server-side) against the test cluster.
import type { Cluster } from '../cluster.js';

export async function kubectlApply(
  cluster: Pick<Cluster, 'kubectl'>,
  fileOrYaml: { file: string } | { yaml: string },
  extraArgs: string[] = [],
): Promise<string> {
  const args = ['apply', '--server-side', '--field-manager=doctor-tests', ...extraArgs];
  const result =
    'file' in fileOrYaml
      ? await cluster.kubectl([...args, '-f', fileOrYaml.file])
      : await cluster.kubectl([...args, '-f', '-'], fileOrYaml.yaml);
  if (result.code !== 0) {
    throw new Error(`kubectl apply failed (exit ${result.code}): ${result.stderr.trim()}`);
  }
  return result.stdout;
}

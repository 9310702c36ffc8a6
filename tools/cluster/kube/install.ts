// Puts what the operator needs into a test cluster, as the Helm chart will: the CRDs (from crds/), the
// operator namespace and the monitors' ServiceAccount.
import { join } from 'node:path';
import type { Cluster } from '../cluster.js';
import { repoRoot } from '../paths.js';
import { waitFor } from '../wait.js';
import { kubectlApply } from './apply.js';
import type { KubeClients } from './client.js';

export const operatorNamespace = 'doctor-system';

export async function installCrds(cluster: Cluster, kube: KubeClients): Promise<void> {
  await kubectlApply(cluster, { file: join(repoRoot, 'crds') });
  for (const name of ['faultpolicies.doctor.io', 'hosthealths.doctor.io']) {
    await waitFor(`CRD ${name} to be established`, async () => {
      const crd = await kube.extensions.readCustomResourceDefinition({ name });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')
        ? true
        : undefined;
    });
  }
}

export async function installOperatorPrerequisites(cluster: Cluster, kube: KubeClients): Promise<void> {
  await installCrds(cluster, kube);
  await kubectlApply(cluster, {
    yaml: `apiVersion: v1
kind: Namespace
metadata: {name: ${operatorNamespace}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: doctor-monitor, namespace: ${operatorNamespace}}
`,
  });
}

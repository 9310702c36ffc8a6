// A self-contained kubeconfig (certificates embedded) so it can be copied or used from any folder.
import { readFileSync, writeFileSync } from 'node:fs';
import yaml from 'js-yaml';

export interface KubeconfigInput {
  server: string;
  caCertPath: string;
  clientCertPath: string;
  clientKeyPath: string;
  user?: string;
  namespace?: string;
}

const base64File = (path: string) => readFileSync(path).toString('base64');

export function renderKubeconfig(input: KubeconfigInput): string {
  const user = input.user ?? 'doctor-admin';
  return yaml.dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'doctor-local',
        cluster: { server: input.server, 'certificate-authority-data': base64File(input.caCertPath) },
      },
    ],
    users: [
      {
        name: user,
        user: {
          'client-certificate-data': base64File(input.clientCertPath),
          'client-key-data': base64File(input.clientKeyPath),
        },
      },
    ],
    contexts: [
      {
        name: 'doctor-local',
        context: { cluster: 'doctor-local', user, namespace: input.namespace ?? 'default' },
      },
    ],
    'current-context': 'doctor-local',
  });
}

export function writeKubeconfig(path: string, input: KubeconfigInput): void {
  writeFileSync(path, renderKubeconfig(input), { mode: 0o600 });
}

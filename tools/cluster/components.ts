// Command lines of the control-plane components. Kept apart from the start-up sequence so the flags,
// which are what a reader checks against the Kubernetes docs, are in one place.
import type { ClusterCerts } from './certs.js';

/** Fake networks of the local cluster. Nothing is ever sent to them: they only fill API fields. They sit
 * in 198.18.0.0/15 (the benchmarking range the test bed uses) so no real private network is named. */
export const serviceCidr = '198.19.128.0/24';
export const firstServiceIp = '198.19.128.1';
export const podCidr = '198.19.0.0/17';
export const kwokDefaultNodeIp = '198.19.255.254';

/** Nodes with this annotation are the ones kwok fakes a kubelet for. */
export const kwokNodeAnnotation = { key: 'kwok.x-k8s.io/node', value: 'fake' } as const;

export interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiServer: number;
  controllerManager: number;
  scheduler: number;
  kwok: number;
}

export function etcdArgs(dataDir: string, ports: Ports): string[] {
  const client = `http://127.0.0.1:${ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ports.etcdPeer}`;
  return [
    '--name=doctor',
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=doctor=${peer}`,
    // Test data is disposable: skipping fsync makes the API server several times faster on slow disks.
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ];
}

export function apiServerArgs(certs: ClusterCerts, certDir: string, ports: Ports): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${ports.apiServer}`,
    `--cert-dir=${certDir}`,
    `--tls-cert-file=${certs.serverCert}`,
    `--tls-private-key-file=${certs.serverKey}`,
    `--client-ca-file=${certs.caCert}`,
    `--service-cluster-ip-range=${serviceCidr}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${certs.serviceAccountPub}`,
    `--service-account-signing-key-file=${certs.serviceAccountKey}`,
    '--authorization-mode=RBAC',
    '--allow-privileged=true',
    // Tokens for the operator (default audience) and for monitors reporting to the inspector.
    '--api-audiences=https://kubernetes.default.svc.cluster.local,doctor-inspector',
    '--v=1',
  ];
}

/** Not node-lifecycle: it would taint kwok nodes whose heartbeats it judges late, which tests control. */
const defaultControllers = [
  'daemonset',
  'deployment',
  'replicaset',
  'garbagecollector',
  'namespace',
  'serviceaccount',
  'serviceaccount-token',
  'root-ca-cert-publisher',
];

export function controllerManagerArgs(
  kubeconfig: string,
  certs: ClusterCerts,
  ports: Ports,
  extraControllers: readonly string[] = [],
): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--controllers=${[...defaultControllers, ...extraControllers].join(',')}`,
    `--service-account-private-key-file=${certs.serviceAccountKey}`,
    `--root-ca-file=${certs.caCert}`,
    '--use-service-account-credentials=false',
    '--leader-elect=false',
    '--bind-address=127.0.0.1',
    `--secure-port=${ports.controllerManager}`,
    '--v=1',
  ];
}

export function schedulerArgs(kubeconfig: string, ports: Ports): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--leader-elect=false',
    '--bind-address=127.0.0.1',
    `--secure-port=${ports.scheduler}`,
    '--v=1',
  ];
}

export function kwokArgs(kubeconfig: string, ports: Ports): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    '--manage-all-nodes=false',
    `--manage-nodes-with-annotation-selector=${kwokNodeAnnotation.key}=${kwokNodeAnnotation.value}`,
    // A node annotated like this keeps the status a test wrote (e.g. NotReady) instead of kwok's.
    '--disregard-status-with-annotation-selector=kwok.x-k8s.io/status=custom',
    `--cidr=${podCidr}`,
    `--node-ip=${kwokDefaultNodeIp}`,
    '--node-lease-duration-seconds=40',
    `--server-address=127.0.0.1:${ports.kwok}`,
  ];
}

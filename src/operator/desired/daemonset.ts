// The monitor DaemonSet of a policy: one `doctor monitor` per selected node, on the host network (it
// probes node addresses and watches the node's own NICs), with NET_RAW for ICMP and nothing else.
import type * as k8s from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import type { FaultPolicy, LabelSelector } from '../../api/types.js';
import { monitorConfigFileName } from './monitor-config.js';
import { monitorNodeFlags } from '../../monitor/node-flags.js';
import {
  monitorConfigMapName,
  monitorDaemonSetName,
  ownedLabels,
  policyLabel,
  policyLabelValue,
} from './names.js';
import { policyOwnerReference } from './owner.js';

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

/** Quantities by resource name, e.g. { cpu: '25m', memory: '64Mi' }. */
export interface MonitorResources {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

/** What an installation decides about the monitor Pods (the chart's monitor.* values). */
export interface MonitorPodOptions {
  /** DaemonSets and ConfigMaps are named <namePrefix>-<policy> (default doctor-monitor). */
  namePrefix?: string;
  imagePullPolicy?: PullPolicy;
  imagePullSecrets?: string[];
  priorityClassName?: string;
  resources?: MonitorResources;
}

/** Sized from the monitor benchmark (8 peers probed every 30 ms: about 2 % of a core with its fping, 55 MB
 * RSS), with room for a larger ring and for the liveness check's short-lived process. */
export const defaultMonitorResources: MonitorResources = {
  requests: { cpu: '25m', memory: '64Mi' },
  limits: { memory: '128Mi' },
};

export interface MonitorDeploymentOptions extends MonitorPodOptions {
  namespace: string;
  image: string;
  serviceAccountName: string;
  /** Audience of the projected token monitors send to the inspector. */
  tokenAudience: string;
}

export const monitorConfigMountPath = '/etc/doctor';
export const monitorTokenMountPath = '/var/run/secrets/doctor';
export const monitorTokenFile = `${monitorTokenMountPath}/token`;
export const monitorContainerName = 'monitor';
/** Where both image builds (tools/image/build.sh, the Dockerfile) put the `doctor` command's script. */
export const imageCliPath = '/app/dist/src/cli.js';
/** A memory-backed scratch folder: the monitor refreshes its liveness file there. */
export const monitorRunPath = '/run/doctor';
export const monitorAliveFile = `${monitorRunPath}/alive`;
export const monitorSettingsAnnotation = 'doctor.io/monitor-settings';

/** Probe settings change how every monitor works, so they roll the DaemonSet (kubelet refreshes mounted
 * ConfigMaps only after a minute or so). The host list is excluded: monitors re-read it live, and a node
 * joining must not restart every monitor. */
function monitorSettingsHash(policy: FaultPolicy): string {
  return createHash('sha256').update(JSON.stringify(policy.spec.monitor)).digest('hex').slice(0, 16);
}

/** The policy's label selector as node affinity (a DaemonSet nodeSelector cannot express NotIn or
 * Exists). An empty selector means every node: no affinity at all, since an empty term matches none. */
function nodeAffinityFor(selector: LabelSelector): Pick<k8s.V1PodSpec, 'affinity'> {
  const matchExpressions: k8s.V1NodeSelectorRequirement[] = [
    ...Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({
      key,
      operator: 'In',
      values: [value],
    })),
    ...(selector.matchExpressions ?? []).map((e) => ({
      key: e.key,
      operator: e.operator,
      ...(e.values && e.values.length > 0 ? { values: e.values } : {}),
    })),
  ];
  if (matchExpressions.length === 0) return {};
  return {
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions }] },
      },
    },
  };
}

export function desiredMonitorDaemonSet(
  policy: FaultPolicy,
  options: MonitorDeploymentOptions,
): k8s.V1DaemonSet {
  const name = monitorDaemonSetName(policy.metadata.name, options.namePrefix);
  const labels = ownedLabels(policy.metadata.name, 'monitor');
  const selectorLabels = {
    [policyLabel]: policyLabelValue(policy.metadata.name),
    'app.kubernetes.io/component': 'monitor',
  };
  const nodeSelector = policy.spec.nodeSelector;
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: {
      name,
      namespace: options.namespace,
      labels,
      ownerReferences: [policyOwnerReference(policy)],
    },
    spec: {
      selector: { matchLabels: selectorLabels },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
      template: {
        metadata: {
          labels: { ...labels, ...selectorLabels },
          annotations: { [monitorSettingsAnnotation]: monitorSettingsHash(policy) },
        },
        spec: {
          serviceAccountName: options.serviceAccountName,
          ...(options.priorityClassName ? { priorityClassName: options.priorityClassName } : {}),
          ...(options.imagePullSecrets?.length
            ? { imagePullSecrets: options.imagePullSecrets.map((secret) => ({ name: secret })) }
            : {}),
          // The monitor talks to the inspector with its own projected token, not the default one.
          automountServiceAccountToken: false,
          hostNetwork: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          ...nodeAffinityFor(nodeSelector),
          // A failed host is tainted by doctor and by Kubernetes; its monitor must stay to see recovery.
          tolerations: [{ operator: 'Exists' }],
          terminationGracePeriodSeconds: 10,
          containers: [
            {
              name: monitorContainerName,
              image: options.image,
              imagePullPolicy: options.imagePullPolicy ?? 'IfNotPresent',
              // node with the monitor's flags, which `doctor` (a script run by plain node) cannot pass.
              command: [
                'node',
                ...monitorNodeFlags,
                imageCliPath,
                'monitor',
                '--config',
                `${monitorConfigMountPath}/${monitorConfigFileName}`,
                '--alive-file',
                monitorAliveFile,
              ],
              // The monitor rewrites the file every few seconds while its event loop turns; a hung
              // process is restarted. Generous: a needless restart costs a round of probes.
              livenessProbe: {
                exec: { command: ['doctor', 'monitor', '--check-alive', monitorAliveFile] },
                initialDelaySeconds: 10,
                periodSeconds: 30,
                timeoutSeconds: 10,
                failureThreshold: 3,
              },
              env: [
                { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                { name: 'DOCTOR_TOKEN_FILE', value: monitorTokenFile },
              ],
              // Root with only NET_RAW: a non-root process loses NET_RAW when it starts ping (no privilege
              // escalation), so ICMP would then depend on the host's net.ipv4.ping_group_range.
              securityContext: {
                runAsUser: 0,
                runAsNonRoot: false,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'], add: ['NET_RAW'] },
              },
              resources: options.resources ?? defaultMonitorResources,
              volumeMounts: [
                { name: 'run', mountPath: monitorRunPath },
                { name: 'config', mountPath: monitorConfigMountPath, readOnly: true },
                { name: 'inspector-token', mountPath: monitorTokenMountPath, readOnly: true },
              ],
            },
          ],
          volumes: [
            {
              name: 'config',
              configMap: { name: monitorConfigMapName(policy.metadata.name, options.namePrefix) },
            },
            { name: 'run', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
            {
              name: 'inspector-token',
              projected: {
                sources: [
                  {
                    serviceAccountToken: {
                      audience: options.tokenAudience,
                      expirationSeconds: 3600,
                      path: 'token',
                    },
                  },
                ],
              },
            },
          ],
        },
      },
    },
  };
}

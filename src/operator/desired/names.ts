// Names and labels of the objects the operator owns. Kubernetes names are at most 63 characters for
// labels/DNS labels; long policy names are shortened with a hash so two policies never collide.
import { createHash } from 'node:crypto';

export const managedByLabel = 'app.kubernetes.io/managed-by';
export const managedByValue = 'doctor-operator';
export const policyLabel = 'doctor.io/policy';
export const componentLabel = 'app.kubernetes.io/component';
export const fieldManager = 'doctor-operator';
/** On FaultPolicies and HostHealths: a host is let go of (Nova un-forced, taint removed) before they go. */
export const cleanupFinalizer = 'doctor.io/nova-cleanup';

function boundedName(prefix: string, name: string, max = 63): string {
  const full = `${prefix}${name}`;
  if (full.length <= max) return full;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${full.slice(0, max - 9)}-${hash}`;
}

/** The monitor objects of a policy are <prefix>-<policy>; the chart passes a prefix that follows its own
 * names (fullnameOverride), the default keeps the names of earlier releases. */
export const defaultMonitorNamePrefix = 'doctor-monitor';
export const monitorDaemonSetName = (policy: string, prefix = defaultMonitorNamePrefix) =>
  boundedName(`${prefix}-`, policy);
export const monitorConfigMapName = (policy: string, prefix = defaultMonitorNamePrefix) =>
  boundedName(`${prefix}-`, policy);

/** Label values are limited to 63 characters too; the policy name itself is the common case. */
export const policyLabelValue = (policy: string) => boundedName('', policy);

export function ownedLabels(policy: string, component: string): Record<string, string> {
  return {
    [managedByLabel]: managedByValue,
    [policyLabel]: policyLabelValue(policy),
    [componentLabel]: component,
  };
}

// The --monitor-* flags that shape the monitor Pods: names, pulling, priority and resources. Each bad value
// is refused with a message naming the flag.
import {
  defaultMonitorResources,
  type MonitorPodOptions,
  type MonitorResources,
  type PullPolicy,
} from './desired/daemonset.js';

const pullPolicies: readonly PullPolicy[] = ['Always', 'IfNotPresent', 'Never'];
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// Kubernetes quantities: a decimal number with an optional binary (Ki..Ei), decimal (n..E) or exponent suffix.
const quantity = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i|[numkMGTPE])?$/;
const resourceName = /^(cpu|memory|ephemeral-storage|hugepages-[0-9]+[KMG]i)$/;
/** Far more than any real request; bounds what JSON.parse sees. */
const maxResourcesJson = 2048;

export type MonitorFlagValues = Record<string, string | boolean | undefined>;

function subdomain(flag: string, value: string): string {
  if (value.length > 253 || !dnsSubdomain.test(value)) {
    throw new Error(
      `--${flag}: '${value}' is not a valid Kubernetes object name (lower case, digits, '-', '.')`,
    );
  }
  return value;
}

function parseQuantities(flag: string, part: string, raw: unknown): Record<string, string> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`--${flag}: "${part}" must be an object of resource: quantity`);
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!resourceName.test(name)) throw new Error(`--${flag}: unknown resource "${name}" in ${part}`);
    const text: unknown = typeof value === 'number' ? String(value) : value;
    if (typeof text !== 'string' || !quantity.test(text)) {
      throw new Error(
        `--${flag}: ${part}.${name} is not a quantity (e.g. 25m, 64Mi): ${JSON.stringify(value)}`,
      );
    }
    out[name] = text;
  }
  return out;
}

export function parseMonitorResources(flag: string, raw: string): MonitorResources {
  if (raw.length > maxResourcesJson) throw new Error(`--${flag}: longer than ${maxResourcesJson} characters`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new Error(`--${flag}: not JSON (${(err as Error).message})`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`--${flag}: must be a JSON object with "requests" and/or "limits"`);
  }
  const resources: MonitorResources = {};
  for (const [part, value] of Object.entries(parsed)) {
    if (part !== 'requests' && part !== 'limits') {
      throw new Error(`--${flag}: unknown key "${part}" (only "requests" and "limits")`);
    }
    resources[part] = parseQuantities(flag, part, value);
  }
  return resources;
}

export function parseMonitorPodOptions(values: MonitorFlagValues): MonitorPodOptions {
  const raw = (name: string) => values[name] as string | undefined;
  const options: MonitorPodOptions = { resources: defaultMonitorResources };
  const policy = raw('monitor-image-pull-policy');
  if (policy !== undefined) {
    if (!(pullPolicies as readonly string[]).includes(policy)) {
      throw new Error(
        `--monitor-image-pull-policy must be one of ${pullPolicies.join(', ')}, got '${policy}'`,
      );
    }
    options.imagePullPolicy = policy as PullPolicy;
  }
  const secrets = raw('monitor-image-pull-secrets');
  if (secrets !== undefined) {
    const names = secrets
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    options.imagePullSecrets = names.map((name) => subdomain('monitor-image-pull-secrets', name));
  }
  const prefix = raw('monitor-name-prefix');
  if (prefix !== undefined) {
    // Room for '-' and a policy name within the 63 characters of a label value.
    if (prefix.length > 40 || !dnsLabel.test(prefix)) {
      throw new Error(
        `--monitor-name-prefix: '${prefix}' must be at most 40 lower-case letters, digits or '-'`,
      );
    }
    options.namePrefix = prefix;
  }
  const priority = raw('monitor-priority-class');
  if (priority) options.priorityClassName = subdomain('monitor-priority-class', priority);
  const resources = raw('monitor-resources');
  if (resources !== undefined) options.resources = parseMonitorResources('monitor-resources', resources);
  return options;
}

// The monitor's configuration: validation of the JSON the operator writes into the ConfigMap, and of the
// environment the DaemonSet sets. Pure (no I/O) so every rule is unit-tested; each error names the setting.
import type { MonitorConfigFile, MonitorHost } from '../api/monitor-config.js';
import { monitorProbeDefaults } from '../api/probe-defaults.js';

export type { MonitorHost } from '../api/monitor-config.js';

// A builtin comes from process.getBuiltinModule, not `import`, to keep the monitor small (http-post.ts says why).
const { isIP } = process.getBuiltinModule('node:net');

/** The configuration file with the monitor's defaults filled in. */
export interface MonitorSettings extends MonitorConfigFile {
  deliveryTimeoutMilliseconds: number;
  maxBackoffMilliseconds: number;
}

export interface MonitorEnvironment {
  nodeName: string;
  configPath: string | undefined;
  inspectorUrl: string | undefined;
  tokenFile: string;
  /** Directory holding <interface>/operstate; /sys/class/net on a real node. */
  netClassDir: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const defaultTokenFile = '/var/run/secrets/doctor/token';

const defaults = {
  ...monitorProbeDefaults,
  successThreshold: 2,
  peers: 3,
  heartbeatSeconds: 5,
  deliveryTimeoutMilliseconds: 1000,
  maxBackoffMilliseconds: 2000,
};

const knownKeys = new Set([
  'policy',
  'inspectorUrl',
  'interfaces',
  'hosts',
  ...Object.keys(defaults),
  // Fields of spec.monitor the operator may pass through; the agent has no use for them.
  'addressType',
]);

// Kubernetes node names are DNS subdomains.
const nodeNamePattern = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
// Linux interface names: at most 15 bytes, no slash or whitespace; "." and ".." would escape the sysfs dir.
const interfacePattern = /^(?!\.{1,2}$)[A-Za-z0-9_.:@-]{1,15}$/;
const maxHosts = 5000;

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

function integerSetting(
  raw: Record<string, unknown>,
  key: keyof typeof defaults,
  min: number,
  max: number,
): number {
  const value = raw[key] ?? defaults[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${key} must be an integer ${min}..${max}, got ${show(value)}`);
  }
  return value;
}

export function validateInspectorUrl(value: unknown, setting: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new ConfigError(`${setting} must be an http or https URL, got ${show(value)}`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${setting} must be an http or https URL, got ${show(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${setting} must be an http or https URL, got ${show(value)}`);
  }
  return value;
}

function validateHosts(value: unknown): MonitorHost[] {
  if (!Array.isArray(value)) throw new ConfigError(`hosts must be a list, got ${show(value)}`);
  if (value.length > maxHosts)
    throw new ConfigError(`hosts must have at most ${maxHosts} entries, got ${value.length}`);
  const names = new Set<string>();
  const addresses = new Set<string>();
  return value.map((entry: unknown, i) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new ConfigError(`hosts[${i}] must be an object {name, address}, got ${show(entry)}`);
    }
    const { name, address } = entry as Record<string, unknown>;
    if (typeof name !== 'string' || !nodeNamePattern.test(name)) {
      throw new ConfigError(`hosts[${i}].name must be a Kubernetes node name, got ${show(name)}`);
    }
    if (typeof address !== 'string' || isIP(address) === 0) {
      throw new ConfigError(`hosts[${i}].address must be an IPv4 or IPv6 address, got ${show(address)}`);
    }
    if (names.has(name)) throw new ConfigError(`hosts[${i}].name ${show(name)} appears twice`);
    if (addresses.has(address)) throw new ConfigError(`hosts[${i}].address ${show(address)} appears twice`);
    names.add(name);
    addresses.add(address);
    return { name, address };
  });
}

function validateInterfaces(value: unknown): string[] {
  const list = value ?? [];
  if (!Array.isArray(list))
    throw new ConfigError(`interfaces must be a list of interface names, got ${show(value)}`);
  if (list.length > 64) throw new ConfigError(`interfaces must have at most 64 entries, got ${list.length}`);
  const seen = new Set<string>();
  return list.map((name: unknown, i) => {
    if (typeof name !== 'string' || !interfacePattern.test(name)) {
      throw new ConfigError(`interfaces[${i}] must be a network interface name, got ${show(name)}`);
    }
    if (seen.has(name)) throw new ConfigError(`interfaces[${i}] ${show(name)} appears twice`);
    seen.add(name);
    return name;
  });
}

export interface ParsedSettings {
  settings: MonitorSettings;
  /** Keys the agent does not know (a newer operator may write them): reported, not fatal. */
  warnings: string[];
}

/**
 * Validates the ConfigMap's JSON (already parsed). `inspectorUrl` from the environment, when set, wins
 * over the file's, so the file may omit it.
 */
export function parseSettings(raw: unknown, inspectorUrlOverride?: string): ParsedSettings {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`the configuration must be a JSON object, got ${show(raw)}`);
  }
  const obj = raw as Record<string, unknown>;
  const policy = obj.policy ?? '';
  if (typeof policy !== 'string') throw new ConfigError(`policy must be a string, got ${show(policy)}`);
  const inspectorUrl =
    inspectorUrlOverride !== undefined
      ? validateInspectorUrl(inspectorUrlOverride, 'DOCTOR_INSPECTOR_URL')
      : validateInspectorUrl(obj.inspectorUrl, 'inspectorUrl');
  const settings: MonitorSettings = {
    policy,
    inspectorUrl,
    intervalMilliseconds: integerSetting(obj, 'intervalMilliseconds', 10, 60_000),
    timeoutMilliseconds: integerSetting(obj, 'timeoutMilliseconds', 1, 60_000),
    failureThreshold: integerSetting(obj, 'failureThreshold', 1, 100),
    successThreshold: integerSetting(obj, 'successThreshold', 1, 100),
    peers: integerSetting(obj, 'peers', 1, 100),
    heartbeatSeconds: integerSetting(obj, 'heartbeatSeconds', 1, 3600),
    deliveryTimeoutMilliseconds: integerSetting(obj, 'deliveryTimeoutMilliseconds', 10, 60_000),
    maxBackoffMilliseconds: integerSetting(obj, 'maxBackoffMilliseconds', 10, 300_000),
    interfaces: validateInterfaces(obj.interfaces),
    hosts: validateHosts(obj.hosts),
  };
  const warnings = Object.keys(obj)
    .filter((k) => !knownKeys.has(k))
    .map((k) => `unknown setting ${k} ignored`);
  return { settings, warnings };
}

/** Parses the file's text; a JSON syntax error names the file. */
export function parseSettingsText(
  text: string,
  source: string,
  inspectorUrlOverride?: string,
): ParsedSettings {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${source} is not valid JSON: ${(err as Error).message}`);
  }
  return parseSettings(raw, inspectorUrlOverride);
}

export function parseEnvironment(env: NodeJS.ProcessEnv, configFlag?: string): MonitorEnvironment {
  const nodeName = env.NODE_NAME;
  if (nodeName === undefined || nodeName === '') {
    throw new ConfigError('NODE_NAME must be set to this node name (downward API: spec.nodeName)');
  }
  if (!nodeNamePattern.test(nodeName)) {
    throw new ConfigError(`NODE_NAME must be a Kubernetes node name, got ${show(nodeName)}`);
  }
  const inspectorUrl = env.DOCTOR_INSPECTOR_URL === '' ? undefined : env.DOCTOR_INSPECTOR_URL;
  if (inspectorUrl !== undefined) validateInspectorUrl(inspectorUrl, 'DOCTOR_INSPECTOR_URL');
  const configPath = configFlag ?? (env.DOCTOR_MONITOR_CONFIG || undefined);
  return {
    nodeName,
    configPath,
    inspectorUrl,
    tokenFile: env.DOCTOR_TOKEN_FILE || defaultTokenFile,
    netClassDir: env.DOCTOR_NET_CLASS_DIR || '/sys/class/net',
  };
}

// What the correlation engine needs from a FaultPolicy and its HostHealth objects. The CRD schema
// already validates policies; this check repeats the rules the engine relies on, so a caller that builds
// a config by hand gets an error naming the field instead of a silently wrong decision.
import type { DetectionSpec, ProtectionSpec } from '../api/types.js';
import { parseMaxUnhealthy } from './storm-guard.js';

export interface MonitoredHost {
  /** Node name = Nova host name as reported in events' details.hostname. */
  name: string;
  /** HostHealth spec.maintenance.enabled: the host is never acted on. */
  maintenance: boolean;
}

export interface EngineConfig {
  detection: DetectionSpec;
  protection: ProtectionSpec;
  hosts: MonitoredHost[];
  /**
   * Which observers watch which host, when the caller knows it (the monitors' peer assignment): host name
   * -> observer names. An assigned observer counts towards a host's observers once it has been heard from.
   */
  observers?: Record<string, string[]>;
  /** A NIC link down reported by the host's own monitor makes the host Down by itself. Default true. */
  nicDownMeansHostDown?: boolean;
}

/** Every problem with the config, each naming its field; empty when the config is usable. */
export function validateEngineConfig(config: EngineConfig): string[] {
  const errors: string[] = [];
  const { quorum, windowMilliseconds, healthySeconds } = config.detection;
  if (!Number.isInteger(quorum) || quorum < 1) errors.push('detection.quorum: must be an integer >= 1');
  if (!Number.isFinite(windowMilliseconds) || windowMilliseconds < 0) {
    errors.push('detection.windowMilliseconds: must be a number >= 0');
  }
  if (!Number.isFinite(healthySeconds) || healthySeconds < 0) {
    errors.push('detection.healthySeconds: must be a number >= 0');
  }
  const limit = parseMaxUnhealthy(config.protection.maxUnhealthy);
  if (typeof limit === 'string') errors.push(`protection.maxUnhealthy: ${limit}`);
  const seen = new Set<string>();
  for (const [index, host] of config.hosts.entries()) {
    if (typeof host.name !== 'string' || host.name === '') {
      errors.push(`hosts[${index}].name: must be a non-empty string`);
    } else if (seen.has(host.name)) {
      errors.push(`hosts[${index}].name: "${host.name}" is listed twice`);
    }
    seen.add(host.name);
  }
  for (const [host, observers] of Object.entries(config.observers ?? {})) {
    if (!Array.isArray(observers) || observers.some((name) => typeof name !== 'string' || name === '')) {
      errors.push(`observers.${host}: must be a list of observer names`);
    }
  }
  return errors;
}

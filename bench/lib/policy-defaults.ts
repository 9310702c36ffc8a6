// The detection settings a FaultPolicy gets when it leaves them out, read from the CRD schema's defaults,
// so a benchmark that applies a policy with defaults labels its figures with what actually ran.
import { faultPolicySpec } from '../../src/api/schema/faultpolicy.js';
import type { Settings } from './report.js';

function schemaDefault(section: 'monitor' | 'detection', field: string): number {
  const value = faultPolicySpec.properties?.[section]?.properties?.[field]?.default;
  if (typeof value !== 'number')
    throw new Error(`the FaultPolicy schema has no default for ${section}.${field}`);
  return value;
}

/** Probe interval, timeout, failure threshold and quorum of a policy that sets none of them. */
export function defaultDetectionSettings(): Settings {
  return {
    'probe interval': `${schemaDefault('monitor', 'intervalMilliseconds')} ms (default)`,
    'probe timeout': `${schemaDefault('monitor', 'timeoutMilliseconds')} ms (default)`,
    'failure threshold': `${schemaDefault('monitor', 'failureThreshold')} (default)`,
    quorum: `${schemaDefault('detection', 'quorum')} (default)`,
  };
}

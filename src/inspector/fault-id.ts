// A fault's id is derived, not random: a restarted or newly elected operator that sees the same evidence
// computes the same id, so remediation steps and notifications keyed by it are not repeated.
import { createHash } from 'node:crypto';
import { isoTime } from './event-time.js';

/** 16 hex digits of SHA-256 over the host and the first evidence time (millisecond precision). */
export function faultId(host: string, firstEvidenceTime: number): string {
  return createHash('sha256')
    .update(`${host}\n${isoTime(firstEvidenceTime)}`)
    .digest('hex')
    .slice(0, 16);
}

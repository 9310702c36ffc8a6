// The host state machine. A host has at most one open fault; the fault's life is
//   Down --quorum of ups since the fault, no down quorum--> Recovering
//   Recovering --healthySeconds, no new down--> closed
//   Recovering --new down evidence--> Down (the same fault: its remediation is still in place)
// Without an open fault the shown state follows the evidence: Suspect (some observer says down, or the
// storm guard holds the host back), Healthy (observers say up), Unknown (nobody has reported yet).
// Maintenance overrides everything and freezes an open fault.
import type { FaultRecord, HostState } from '../api/types.js';
import type { FaultCause, OpenFaultSnapshot } from './decisions.js';
import { isoTime } from './event-time.js';
import type { EvidenceSummary } from './evidence.js';
import { faultId } from './fault-id.js';
import type { VerdictRecord } from './reports.js';

export interface OpenFault {
  id: string;
  cause: FaultCause;
  evidence: string[];
  reason: string;
  detectedAt: number;
  firstReportReceivedAt: number;
  declaredAt: number;
  recoveringSince?: number;
  /** Observers whose new down reopened the fault; recovery waits until none of them says down. */
  dissenters?: string[];
}

export type FaultStep =
  | { kind: 'none' }
  | { kind: 'recovering'; evidence: string[] }
  | { kind: 'reopened'; dissenters: string[] }
  | { kind: 'healed' };

/** The next step of an open fault at `now`, from the evidence about its host. */
export function stepFault(
  fault: OpenFault,
  evidence: EvidenceSummary,
  now: number,
  healthyMilliseconds: number,
): FaultStep {
  if (fault.recoveringSince === undefined) {
    return hasRecoveryEvidence(fault, evidence)
      ? { kind: 'recovering', evidence: cameBack(fault, evidence).map((record) => record.observer) }
      : { kind: 'none' };
  }
  const dissenters = newDownEvidence(fault.recoveringSince, evidence);
  if (dissenters !== undefined) return { kind: 'reopened', dissenters };
  if (now - fault.recoveringSince >= healthyMilliseconds) return { kind: 'healed' };
  return { kind: 'none' };
}

/**
 * Enough observers (the effective quorum) report the host up again and it no longer qualifies as Down.
 * A NIC fault also recovers when a link-up arrived after it and no observer says down: peers may never
 * have lost the host. After a reopen, the observers that reopened it must stop saying down first (no
 * Down/Recovering flap).
 */
function hasRecoveryEvidence(fault: OpenFault, evidence: EvidenceSummary): boolean {
  if (evidence.qualifiesDown) return false;
  const dissenters = new Set(fault.dissenters ?? []);
  if (evidence.heldDown.some((record) => dissenters.has(record.observer))) return false;
  if (cameBack(fault, evidence).length >= evidence.effectiveQuorum) return true;
  // Positive evidence only: a fault restored after a restart knows no link state until a report comes.
  const linkBack = evidence.nicUp.some((record) => record.sinceReceivedAt >= fault.declaredAt);
  return fault.cause === 'nic' && linkBack && evidence.heldDown.length === 0;
}

// Ups that began after the fault was declared: an observer that has said "up" all along (it never saw
// the host go) is no sign of recovery, or a fault would close by itself once its downs grew old.
function cameBack(fault: OpenFault, evidence: EvidenceSummary): VerdictRecord[] {
  return evidence.up.filter((record) => record.sinceReceivedAt > fault.declaredAt);
}

/**
 * The observers that turned down since recovery began, or undefined when nothing reopens the fault.
 * While Recovering, one observer turning down is enough to reopen (the host is still fenced, so falling
 * back costs nothing), as is anything that qualifies as Down (quorum, NIC). An observer that already
 * said down before recovery began is a dissenter, not news, and does not hold the fault open forever.
 */
function newDownEvidence(recoveringSince: number, evidence: EvidenceSummary): string[] | undefined {
  const turnedDown = evidence.heldDown
    .filter((record) => record.sinceReceivedAt > recoveringSince)
    .map((record) => record.observer);
  return evidence.qualifiesDown || turnedDown.length > 0 ? turnedDown : undefined;
}

/** A new fault from evidence that qualifies as Down. */
export function openFault(host: string, evidence: EvidenceSummary, now: number): OpenFault {
  if (evidence.quorumDown) {
    const records = evidence.freshDown;
    const detectedAt = Math.min(...records.map((record) => record.sinceEventTime));
    const observers = records.map((record) => record.observer);
    return {
      id: faultId(host, detectedAt),
      cause: 'quorum',
      evidence: observers,
      reason:
        `${observers.length} of ${evidence.existingObservers} observers report the host down ` +
        `(quorum ${evidence.effectiveQuorum}): ${observers.join(', ')}`,
      detectedAt,
      firstReportReceivedAt: Math.min(...records.map((record) => record.sinceReceivedAt)),
      declaredAt: now,
    };
  }
  const nics = evidence.nicDown;
  const detectedAt = Math.min(...nics.map((record) => record.sinceEventTime));
  const reporters = [...new Set(nics.map((record) => record.reporter))].sort();
  const interfaces = nics.map((record) => record.interface);
  return {
    id: faultId(host, detectedAt),
    cause: 'nic',
    evidence: reporters,
    reason: `link down on ${interfaces.join(', ')} (reported by ${reporters.join(', ')})`,
    detectedAt,
    firstReportReceivedAt: Math.min(...nics.map((record) => record.sinceReceivedAt)),
    declaredAt: now,
  };
}

export interface DisplayInput {
  maintenance: boolean;
  fault: OpenFault | undefined;
  stormHeld: boolean;
  evidence: EvidenceSummary;
  /** Shown while nothing is known: Unknown, or Healthy restored from status after a restart. */
  baseline: 'Unknown' | 'Healthy';
}

export function displayState(input: DisplayInput): HostState {
  if (input.maintenance) return 'Maintenance';
  if (input.fault) return input.fault.recoveringSince === undefined ? 'Down' : 'Recovering';
  const { evidence } = input;
  if (input.stormHeld || evidence.heldDown.length > 0 || evidence.nicDown.length > 0) return 'Suspect';
  if (evidence.up.length > 0) return 'Healthy';
  return input.baseline;
}

export const faultTypes: Record<FaultCause, string> = {
  quorum: 'compute.host.down',
  nic: 'compute.host.nic.down',
};

export function faultRecord(fault: OpenFault, resolvedAt?: number): FaultRecord {
  const record: FaultRecord = {
    id: fault.id,
    type: faultTypes[fault.cause],
    detectedTime: isoTime(fault.detectedAt),
    reason: fault.reason,
  };
  if (resolvedAt !== undefined) record.resolvedTime = isoTime(resolvedAt);
  return record;
}

export function faultSnapshot(fault: OpenFault): OpenFaultSnapshot {
  const snapshot: OpenFaultSnapshot = {
    id: fault.id,
    cause: fault.cause,
    evidence: [...fault.evidence],
    reason: fault.reason,
    detectedAt: isoTime(fault.detectedAt),
    firstReportReceivedAt: isoTime(fault.firstReportReceivedAt),
    declaredAt: isoTime(fault.declaredAt),
  };
  if (fault.recoveringSince !== undefined) snapshot.recoveringSince = isoTime(fault.recoveringSince);
  return snapshot;
}

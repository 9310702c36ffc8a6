// Seeding a new engine (restarted or newly elected operator) from what the previous one persisted, so
// an already-Down host is neither forgotten nor re-declared as a new fault. A HostSnapshot is itself a
// valid PersistedHost; HostHealth objects are converted by persistedFromHostHealth.
import type { FaultRecord, HostHealth, HostState } from '../api/types.js';
import type { OpenFaultSnapshot } from './decisions.js';
import { maxClosedFaults, type HostRecord } from './engine-state.js';
import { parseEventTime } from './event-time.js';
import { faultId } from './fault-id.js';
import { faultTypes, type OpenFault } from './host-state.js';

export interface PersistedHost {
  host: string;
  state?: HostState;
  /** The open fault, when the host is Down or Recovering (or was, before maintenance froze it). */
  fault?: OpenFaultSnapshot;
  /** Fault history; entries with a resolvedTime are kept as closed faults. */
  faults?: FaultRecord[];
  /**
   * Observers known to watch the host and their last verdict, so quorum is not capped low right after a
   * restart and a verdict that merely continues is not taken for news (an old "up" for a came-back host).
   */
  observers?: {
    node: string;
    lastReportTime?: string;
    reachable?: boolean;
    verdict?: 'up' | 'down' | 'unknown';
  }[];
}

export function persistedFromHostHealth(hostHealth: HostHealth): PersistedHost {
  const status = hostHealth.status ?? {};
  const persisted: PersistedHost = { host: hostHealth.metadata.name, faults: status.faults ?? [] };
  if (status.state !== undefined) persisted.state = status.state;
  if (status.observers !== undefined) persisted.observers = status.observers;
  const open = [...(status.faults ?? [])].reverse().find((fault) => fault.resolvedTime === undefined);
  if (open !== undefined) {
    const timeline = status.timeline ?? {};
    persisted.fault = {
      id: open.id,
      cause: open.type === faultTypes.nic ? 'nic' : 'quorum',
      evidence: [],
      reason: open.reason,
      detectedAt: open.detectedTime,
      firstReportReceivedAt: timeline.T02 ?? open.detectedTime,
      declaredAt: timeline.T03 ?? open.detectedTime,
    };
  }
  return persisted;
}

/** Seeds one host of a new engine; decides nothing (the next evaluation does). */
export function restoreHost(host: HostRecord, persisted: PersistedHost, now: number): void {
  host.history = (persisted.faults ?? [])
    .filter((fault) => fault.resolvedTime !== undefined)
    .slice(-maxClosedFaults)
    .map((fault) => ({ ...fault }));
  const state = persisted.state;
  const faulted = state === 'Down' || state === 'Recovering' || (state === 'Maintenance' && persisted.fault);
  if (faulted) host.fault = restoredFault(host.name, persisted, now);
  const recoveringSince = persisted.fault?.recoveringSince;
  if (host.fault && (state === 'Recovering' || recoveringSince !== undefined)) {
    // Without a recorded start, recovery starts over: waiting longer is the safe side.
    host.fault.recoveringSince = timeOr(recoveringSince, now);
  }
  if (state !== undefined) host.state = state;
  host.baseline = state === 'Healthy' ? 'Healthy' : 'Unknown';
  // Restored verdicts began no later than the open fault's declaration (and recovery), so a report that
  // merely repeats one is not news: not a came-back up, not a new down.
  const fault = host.fault;
  const began = fault ? Math.min(fault.declaredAt, fault.recoveringSince ?? Infinity) : now;
  for (const observer of persisted.observers ?? []) {
    if (host.verdicts.has(observer.node)) continue;
    // A placeholder that any real report supersedes (eventTime -Infinity); never fresh evidence.
    const verdict =
      observer.verdict ?? (observer.reachable === undefined ? 'unknown' : observer.reachable ? 'up' : 'down');
    const assertedAt = timeOr(observer.lastReportTime, now);
    host.verdicts.set(observer.node, {
      observer: observer.node,
      verdict,
      eventTime: -Infinity,
      eventId: '',
      sinceEventTime: Math.min(assertedAt, began),
      sinceReceivedAt: Math.min(assertedAt, began),
      assertedAt,
      restored: true,
    });
  }
}

function restoredFault(host: string, persisted: PersistedHost, now: number): OpenFault {
  const fault = persisted.fault;
  if (!fault) {
    // Down in status without a fault record (an interrupted write): keep it Down rather than forget it.
    return {
      id: faultId(host, now),
      cause: 'quorum',
      evidence: [],
      reason: 'restored from HostHealth status without a fault record',
      detectedAt: now,
      firstReportReceivedAt: now,
      declaredAt: now,
    };
  }
  const detectedAt = timeOr(fault.detectedAt, now);
  return {
    id: fault.id,
    cause: fault.cause,
    evidence: [...fault.evidence],
    reason: fault.reason,
    detectedAt,
    firstReportReceivedAt: timeOr(fault.firstReportReceivedAt, detectedAt),
    declaredAt: timeOr(fault.declaredAt, detectedAt),
  };
}

function timeOr(text: string | undefined, fallback: number): number {
  return (text === undefined ? undefined : parseEventTime(text)) ?? fallback;
}

// The correlation engine: reports in, decisions out. Pure: no I/O, no timers, no Date.now; the caller
// passes the time of every call (receivedAt, now) and executes the returned decisions. See README.md.
import type { HostEvent } from '../api/events.js';
import type { HostState } from '../api/types.js';
import { validateEngineConfig, type EngineConfig } from './config.js';
import type { Decision, HostSnapshot } from './decisions.js';
import { isoTime } from './event-time.js';
import {
  compareText,
  isFresh,
  summarizeEvidence,
  type EvidenceContext,
  type EvidenceSummary,
} from './evidence.js';
import {
  applyEvent,
  ineligibilityView,
  ineligibleObservers,
  maxClosedFaults,
  newEngineState,
  newHostRecord,
  reindexObservers,
  reporterOf,
  type EngineState,
  type HostRecord,
} from './engine-state.js';
import {
  displayState,
  faultRecord,
  faultSnapshot,
  openFault,
  stepFault,
  type OpenFault,
} from './host-state.js';
import { restoreHost, type PersistedHost } from './restore.js';
import { guardStorm, unhealthyLimit } from './storm-guard.js';

export interface CorrelationEngine {
  /** Applies a batch of validated events received at `receivedAt` (epoch ms) and decides. */
  observe(events: readonly HostEvent[], receivedAt: number): Decision[];
  /** Lets time pass: recovery timers, evidence leaving the window (which can clear a storm). */
  tick(now: number): Decision[];
  /** New policy, host list, maintenance flags or observer assignment; decides under the new config. */
  updateConfig(config: EngineConfig, now: number): Decision[];
  /** Seeds state persisted by a previous operator. Call before the first observe; it decides nothing. */
  restore(hosts: readonly PersistedHost[], now: number, stormHeld?: readonly string[]): void;
  snapshot(host: string): HostSnapshot | undefined;
  snapshots(): HostSnapshot[];
  isMonitored(host: string): boolean;
  /** Hosts the storm guard currently holds back (empty when no storm). */
  stormHosts(): string[];
  /** The earliest time at which tick() could decide something, if any: schedule a timer for it. */
  nextWakeAt(): number | undefined;
  /**
   * Moves whenever a snapshot could differ other than in report times: any evaluation, config change or
   * restore. Unchanged, every host's observers, verdicts and eligibility are as when it was last read.
   * Unique across engines, so a caller need not remember which engine a value came from.
   */
  revision(): number;
}

type Ineligible = EvidenceContext['ineligible'];

export interface EngineOptions {
  /** Told how many hosts each evaluation pass judges: lets a test see that cost does not grow with hosts. */
  onJudged?: (hosts: number) => void;
}

export function createCorrelationEngine(
  initial: EngineConfig,
  options: EngineOptions = {},
): CorrelationEngine {
  let config = checked(initial);
  let assignedTo = invertAssignment(config);
  const state: EngineState = newEngineState();
  let stormHeld: string[] = [];
  // Hosts a previous operator held, still held after restore() until their observers report again or
  // one window passes: otherwise the first few reports after a restart would clear the storm and the
  // rest raise it again.
  let restoredHeld: { hosts: string[]; until: number } | undefined;
  let lastNow = -Infinity;
  let wakeAt: number | undefined;
  // Set when state changed outside an evaluation (restore): the next observe evaluates in full.
  let pending = true;
  let revision = nextRevision();
  syncHosts(state, config);

  function context(now: number, ineligible: Ineligible, host: string) {
    return {
      now,
      windowMilliseconds: config.detection.windowMilliseconds,
      quorum: config.detection.quorum,
      ineligible,
      assigned: config.observers?.[host] ?? [],
      heardFrom: state.heardFrom,
      nicDownMeansHostDown: config.nicDownMeansHostDown ?? true,
    };
  }

  function evidenceOf(host: HostRecord, now: number, ineligible: Ineligible): EvidenceSummary {
    return summarizeEvidence(host.verdicts, host.nics, context(now, ineligible, host.name));
  }

  function sortedHosts(): HostRecord[] {
    return [...state.hosts.values()].sort((a, b) => compareText(a.name, b.name));
  }

  /**
   * Decides at `requested`. With `affected`, only those hosts (and, as faults open or close, the hosts
   * their witness changes touch) are judged: the caller guarantees that every other host's evidence is as
   * the last evaluation left it, no timer is due and no storm is held, so judging them would decide
   * nothing. This keeps a report's cost independent of the number of hosts.
   */
  function evaluate(requested: number, affected?: Set<string>): Decision[] {
    // The clock never runs backwards inside the engine, so a late caller cannot undo a timer.
    const now = Math.max(requested, lastNow);
    lastNow = now;
    revision = nextRevision();
    const at = isoTime(now);
    const limit = unhealthyLimit(config.protection.maxUnhealthy, state.hosts.size);
    const faultDecisions: Decision[] = [];
    let held: string[] = [];
    // A host gaining or closing a fault stops or starts being a witness, which changes other hosts'
    // evidence and effective quorum, so decide again until nothing changes. Each host can close and
    // reopen at most once per instant; the bound only guards against a cycle.
    for (let round = 0; round <= 2 * state.hosts.size + 2; round++) {
      const result = decideRound(now, limit, faultDecisions, affected);
      held = result.held;
      if (!result.changed) break;
    }
    held = withRestoredHeld(held, now);
    const decisions: Decision[] = [];
    const previousHeld = stormHeld;
    stormHeld = held;
    if (previousHeld.length > 0 && held.length === 0) decisions.push({ kind: 'stormCleared', at });
    decisions.push(...faultDecisions);
    if (held.length > 0 && held.join('\n') !== previousHeld.join('\n')) {
      decisions.push({ kind: 'stormActive', hosts: [...held], unhealthy: unhealthyCount(), limit, at });
    }
    decisions.push(...updateShownStates(now, at, affected));
    wakeAt = computeWakeAt();
    pending = false;
    return decisions;
  }

  /** Adds the restored held hosts no real report has spoken about since (see restoredHeld). */
  function withRestoredHeld(held: string[], now: number): string[] {
    if (!restoredHeld) return held;
    const unconfirmed =
      now > restoredHeld.until
        ? []
        : restoredHeld.hosts.filter((name) => {
            const host = state.hosts.get(name);
            if (!host || host.fault || host.maintenance) return false;
            return [...host.verdicts.values()].some((r) => r.restored === true && r.verdict === 'down');
          });
    if (unconfirmed.length === 0) {
      restoredHeld = undefined;
      return held;
    }
    return [...new Set([...held, ...unconfirmed])].sort(compareText);
  }

  /** One pass over all hosts: advance open faults, then open new ones as far as the storm guard allows. */
  function decideRound(
    now: number,
    limit: number,
    decisions: Decision[],
    affected: Set<string> | undefined,
  ): { changed: boolean; held: string[] } {
    const ineligible = ineligibleObservers(state);
    const healthyMilliseconds = config.detection.healthySeconds * 1000;
    let changed = false;
    const candidates = new Map<string, EvidenceSummary>();
    const witnessesChanged: string[] = [];
    for (const host of hostsToJudge(affected)) {
      if (host.maintenance) continue; // never acted on; an open fault stays frozen
      const evidence = evidenceOf(host, now, ineligible);
      if (host.fault) {
        changed = advanceFault(host, host.fault, evidence, now, healthyMilliseconds, decisions) || changed;
        if (!host.fault) witnessesChanged.push(host.name); // closed: a witness again
      } else if (evidence.qualifiesDown) {
        candidates.set(host.name, evidence);
      }
    }
    const verdict = guardStorm(unhealthyCount(), [...candidates.keys()], limit);
    for (const name of verdict.act) {
      const host = state.hosts.get(name);
      const evidence = candidates.get(name);
      if (!host || !evidence) continue;
      host.fault = openFault(name, evidence, now);
      witnessesChanged.push(name);
      decisions.push({
        kind: 'hostDown',
        host: name,
        ...faultTimes(host.fault),
        reopened: false,
        at: isoTime(now),
      });
      changed = true;
    }
    // A host gaining or losing a fault stops or starts being a witness: the hosts it watches are judged again.
    if (affected) for (const name of witnessesChanged) addWatchedBy(affected, name);
    return { changed, held: verdict.held };
  }

  function hostsToJudge(affected: Set<string> | undefined): HostRecord[] {
    const hosts = affected
      ? [...affected]
          .sort(compareText)
          .map((name) => state.hosts.get(name))
          .filter((host): host is HostRecord => host !== undefined)
      : sortedHosts();
    options.onJudged?.(hosts.length);
    return hosts;
  }

  /** Adds the hosts whose evidence an observer's standing as a witness enters. */
  function addWatchedBy(affected: Set<string>, observer: string): void {
    for (const name of state.watchedBy.get(observer) ?? []) affected.add(name);
    for (const name of assignedTo.get(observer) ?? []) affected.add(name);
  }

  /** Adds the hosts whose evidence an applied event may change; false when it may change any host's. */
  function touchedBy(event: HostEvent, affected: Set<string>): boolean {
    if (event.type === 'compute.host.isolated' || event.type === 'compute.host.connected') return false;
    affected.add(event.details.hostname);
    for (const peer of event.details.peers ?? []) affected.add(peer.hostname);
    // Its verdicts and hosts assigned to it (it now counts as heard from). Called after applying, so
    // the hosts it stopped listing are no longer indexed: the caller adds them.
    addWatchedBy(affected, reporterOf(event));
    return true;
  }

  function unhealthyCount(): number {
    return [...state.hosts.values()].filter((host) => host.fault).length;
  }

  /** Moves an open fault as far as the evidence allows at `now`; true if it changed. */
  function advanceFault(
    host: HostRecord,
    fault: OpenFault,
    evidence: EvidenceSummary,
    now: number,
    healthyMilliseconds: number,
    decisions: Decision[],
  ): boolean {
    const at = isoTime(now);
    // At most: recovering, then healed (healthySeconds 0) in one call.
    for (let step = 0; step < 3; step++) {
      const next = stepFault(fault, evidence, now, healthyMilliseconds);
      if (next.kind === 'none') return step > 0;
      if (next.kind === 'recovering') {
        fault.recoveringSince = now;
        delete fault.dissenters;
        decisions.push({
          kind: 'hostRecovering',
          host: host.name,
          faultId: fault.id,
          evidence: next.evidence,
          at,
        });
      } else if (next.kind === 'reopened') {
        delete fault.recoveringSince;
        fault.dissenters = next.dissenters;
        decisions.push({ kind: 'hostDown', host: host.name, ...faultTimes(fault), reopened: true, at });
        return true; // recovery waits for the dissenters: no Down/Recovering flap in one call
      } else {
        host.history = [...host.history, faultRecord(fault, now)].slice(-maxClosedFaults);
        delete host.fault;
        decisions.push({ kind: 'hostHealthy', host: host.name, faultId: fault.id, at });
        return true;
      }
    }
    return true;
  }

  function updateShownStates(now: number, at: string, affected: Set<string> | undefined): Decision[] {
    const decisions: Decision[] = [];
    const ineligible = ineligibleObservers(state);
    const held = new Set(stormHeld);
    for (const host of hostsToJudge(affected)) {
      host.stormHeld = held.has(host.name);
      const shown = shownState(host, evidenceOf(host, now, ineligible));
      if (shown !== host.state) {
        decisions.push({ kind: 'stateChanged', host: host.name, from: host.state, to: shown, at });
        host.state = shown;
      }
    }
    return decisions;
  }

  function shownState(host: HostRecord, evidence: EvidenceSummary): HostState {
    return displayState({
      maintenance: host.maintenance,
      fault: host.fault,
      stormHeld: host.stormHeld,
      evidence,
      baseline: host.baseline,
    });
  }

  function snapshotOf(host: HostRecord): HostSnapshot {
    const now = lastNow === -Infinity ? 0 : lastNow;
    const ineligible = ineligibilityView(state);
    const evidence = evidenceOf(host, now, ineligible);
    const observers = [...host.verdicts.values()]
      .sort((a, b) => compareText(a.observer, b.observer))
      .map((record) => ({
        node: record.observer,
        reachable: record.verdict === 'up',
        lastReportTime: isoTime(record.assertedAt),
        ...(record.rttMilliseconds === undefined ? {} : { rttMilliseconds: record.rttMilliseconds }),
        verdict: record.verdict,
        evidence: !ineligible.has(record.observer),
      }));
    const snapshot: HostSnapshot = {
      host: host.name,
      state: host.state,
      maintenance: host.maintenance,
      isolated: state.isolation.get(host.name)?.isolated ?? false,
      stormHeld: host.stormHeld,
      effectiveQuorum: evidence.effectiveQuorum,
      observers,
      nicDown: evidence.nicDown.map((record) => record.interface),
      faults: host.fault ? [...host.history, faultRecord(host.fault)] : [...host.history],
    };
    if (host.fault) snapshot.fault = faultSnapshot(host.fault);
    return snapshot;
  }

  return {
    observe(events, receivedAt) {
      let changed = false;
      // The hosts whose evidence changed; undefined once any host may have been touched.
      let affected: Set<string> | undefined = new Set();
      const dropped: string[] = [];
      for (const event of events) {
        dropped.length = 0;
        // Most heartbeats only repeat verdicts: what they touched is looked at only when they changed.
        if (applyEvent(state, event, receivedAt, dropped) !== 'change') continue;
        changed = true;
        if (!affected) continue;
        // Hosts it stopped listing left its index while applying: `dropped` names them.
        if (touchedBy(event, affected)) for (const name of dropped) affected.add(name);
        else affected = undefined;
      }
      const timerDue = wakeAt !== undefined && receivedAt >= wakeAt;
      // Fast path for the steady state (heartbeats repeating "up"): nothing can be decided unless the
      // evidence changed or a timer is due, and evaluating every host on every heartbeat costs O(hosts).
      if (!changed && !pending && !timerDue) {
        lastNow = Math.max(lastNow, receivedAt);
        return [];
      }
      // A held storm weighs every candidate against the others: decide over all hosts.
      const partial = !pending && !timerDue && stormHeld.length === 0 ? affected : undefined;
      return evaluate(receivedAt, partial);
    },
    tick(now) {
      return evaluate(now);
    },
    updateConfig(next, now) {
      config = checked(next);
      assignedTo = invertAssignment(config);
      syncHosts(state, config);
      return evaluate(now);
    },
    restore(hosts, now, held = []) {
      for (const persisted of hosts) {
        const host = state.hosts.get(persisted.host);
        if (host) restoreHost(host, persisted, now);
      }
      reindexObservers(state);
      stormHeld = [...held].filter((name) => state.hosts.has(name)).sort(compareText);
      for (const host of state.hosts.values()) host.stormHeld = stormHeld.includes(host.name);
      const until = now + config.detection.windowMilliseconds;
      restoredHeld = stormHeld.length > 0 ? { hosts: [...stormHeld], until } : undefined;
      wakeAt = computeWakeAt();
      pending = true;
      revision = nextRevision();
    },
    snapshot(name) {
      const host = state.hosts.get(name);
      return host ? snapshotOf(host) : undefined;
    },
    snapshots() {
      return sortedHosts().map(snapshotOf);
    },
    isMonitored(name) {
      return state.hosts.has(name);
    },
    stormHosts() {
      return [...stormHeld];
    },
    nextWakeAt() {
      return wakeAt;
    },
    revision() {
      return revision;
    },
  };

  /** The earliest time at which an evaluation could decide something without new reports. */
  function computeWakeAt(): number | undefined {
    const window = config.detection.windowMilliseconds;
    let earliest: number | undefined;
    const consider = (time: number) => {
      if (time > lastNow && (earliest === undefined || time < earliest)) earliest = time;
    };
    if (restoredHeld) consider(restoredHeld.until + 1);
    for (const host of state.hosts.values()) {
      const since = host.fault?.recoveringSince;
      if (since !== undefined && !host.maintenance) consider(since + config.detection.healthySeconds * 1000);
      for (const record of host.verdicts.values()) {
        // The first instant a fresh down is no longer fresh (it may clear a storm).
        if (record.verdict === 'down' && isFresh(record, { now: lastNow, windowMilliseconds: window })) {
          consider(record.assertedAt + window + 1);
        }
      }
    }
    return earliest;
  }
}

let revisions = 0;
/** Revisions count over all engines of the process: one value never names two engines' states. */
function nextRevision(): number {
  return ++revisions;
}

/** Observer -> the hosts it is assigned to watch. */
function invertAssignment(config: EngineConfig): Map<string, string[]> {
  const inverse = new Map<string, string[]>();
  for (const [host, observers] of Object.entries(config.observers ?? {})) {
    for (const observer of observers) {
      const hosts = inverse.get(observer);
      if (hosts) hosts.push(host);
      else inverse.set(observer, [host]);
    }
  }
  return inverse;
}

function checked(config: EngineConfig): EngineConfig {
  const errors = validateEngineConfig(config);
  if (errors.length > 0) throw new Error(`invalid correlation config: ${errors.join('; ')}`);
  return config;
}

/** Adds new hosts, forgets removed ones (and their reports as observers), applies maintenance flags. */
function syncHosts(state: EngineState, config: EngineConfig): void {
  const wanted = new Map(config.hosts.map((host) => [host.name, host.maintenance]));
  for (const name of [...state.hosts.keys()]) {
    if (wanted.has(name)) continue;
    state.hosts.delete(name);
    state.isolation.delete(name);
    state.heardFrom.delete(name);
    state.watchedBy.delete(name);
    for (const host of state.hosts.values()) host.verdicts.delete(name);
  }
  for (const [name, maintenance] of wanted) {
    const host = state.hosts.get(name);
    if (host) host.maintenance = maintenance;
    else state.hosts.set(name, newHostRecord(name, maintenance));
  }
}

function faultTimes(fault: OpenFault) {
  const snapshot = faultSnapshot(fault);
  return {
    faultId: fault.id,
    cause: fault.cause,
    evidence: [...fault.evidence],
    reason: fault.reason,
    detectedAt: snapshot.detectedAt,
    firstReportReceivedAt: snapshot.firstReportReceivedAt,
    declaredAt: snapshot.declaredAt,
  };
}

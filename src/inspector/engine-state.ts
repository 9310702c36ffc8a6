// The engine's memory and how one event changes it. Nothing here decides anything: decisions are made by
// the evaluation in engine.ts after a whole batch has been applied.
import type { HostEvent } from '../api/events.js';
import type { FaultRecord, HostState } from '../api/types.js';
import { parseEventTime } from './event-time.js';
import type { OpenFault } from './host-state.js';
import {
  applyIsolation,
  applyNic,
  applyVerdict,
  supersedes,
  type IsolationRecord,
  type NicRecord,
  type Ordered,
  type Verdict,
  type VerdictRecord,
} from './reports.js';

// Memory bounds: reports come from authenticated monitors, but a misbehaving one must not grow the
// operator without limit. Reports beyond a bound are dropped (the first ones stay: deterministic).
export const maxObserversPerHost = 256;
export const maxInterfacesPerHost = 64;
export const maxKnownObservers = 10_000;
export const maxClosedFaults = 10;

export interface HostRecord {
  name: string;
  maintenance: boolean;
  /** Latest verdict of each observer about this host. */
  verdicts: Map<string, VerdictRecord>;
  /** Observers that stopped watching this host (a heartbeat no longer lists it), with when. */
  forgotten: Map<string, Ordered>;
  nics: Map<string, NicRecord>;
  fault?: OpenFault;
  /** Closed faults, oldest first, at most maxClosedFaults. */
  history: FaultRecord[];
  /** The state last shown, to report changes. */
  state: HostState;
  baseline: 'Unknown' | 'Healthy';
  stormHeld: boolean;
}

export interface EngineState {
  hosts: Map<string, HostRecord>;
  /** Isolation of each observer, keyed by observer (node) name. */
  isolation: Map<string, IsolationRecord>;
  /** Every observer heard from, by any event. */
  heardFrom: Set<string>;
  /**
   * Index: the hosts each observer may hold a verdict about (a superset: entries are checked against the
   * host's verdicts before use). A heartbeat then visits only its reporter's hosts, not every host.
   */
  watchedBy: Map<string, Set<string>>;
}

export function newEngineState(): EngineState {
  return { hosts: new Map(), isolation: new Map(), heardFrom: new Set(), watchedBy: new Map() };
}

/** Rebuilds the index from the hosts' verdicts, after verdicts were seeded directly (restore). */
export function reindexObservers(state: EngineState): void {
  state.watchedBy.clear();
  for (const host of state.hosts.values()) {
    for (const observer of host.verdicts.keys()) indexVerdict(state, observer, host.name);
  }
}

function indexVerdict(state: EngineState, observer: string, host: string): void {
  const hosts = state.watchedBy.get(observer);
  if (hosts) hosts.add(host);
  else state.watchedBy.set(observer, new Set([host]));
}

export function newHostRecord(name: string, maintenance: boolean): HostRecord {
  return {
    name,
    maintenance,
    verdicts: new Map(),
    forgotten: new Map(),
    nics: new Map(),
    history: [],
    state: maintenance ? 'Maintenance' : 'Unknown',
    baseline: 'Unknown',
    stormHeld: false,
  };
}

/**
 * The key an event's reporter is known by. With authentication every event carries the authenticated
 * observer (stamped by the HTTP layer, whatever the body said); without it, our monitors name their node
 * and Doctor's name the monitor, and both are taken at their word.
 */
export function reporterOf(event: HostEvent): string {
  return event.details.observer ?? event.details.monitor;
}

/**
 * What applying an event did: nothing (duplicate, stale, not ours), only repeated an up/unknown verdict
 * (no decision can change, so evaluation may be skipped: heartbeats are mostly this), or changed evidence.
 */
export type Effect = 'none' | 'repeat' | 'change';
const rank: Record<Effect, number> = { none: 0, repeat: 1, change: 2 };

function stronger(a: Effect, b: Effect): Effect {
  return rank[a] >= rank[b] ? a : b;
}

/** Applies one validated event. Hosts whose verdict from the reporter it dropped go into `dropped`. */
export function applyEvent(
  state: EngineState,
  event: HostEvent,
  receivedAt: number,
  dropped?: string[],
): Effect {
  const eventTime = parseEventTime(event.time);
  if (eventTime === undefined) return 'none';
  const { details } = event;
  const reporter = reporterOf(event);
  const order: Ordered = { eventTime, eventId: event.id };
  const changed = remember(state.heardFrom, reporter) ? 'change' : 'none';
  switch (event.type) {
    case 'compute.host.down':
    case 'compute.host.up': {
      const host = state.hosts.get(details.hostname);
      // A host's own monitor is not a peer observer of it.
      if (!host || reporter === details.hostname) return changed;
      const verdict: Verdict = event.type === 'compute.host.down' ? 'down' : 'up';
      const effect = recordVerdict(host, reporter, verdict, order, receivedAt, details.rtt_ms);
      if (effect !== 'none') indexVerdict(state, reporter, host.name);
      return stronger(effect, changed);
    }
    case 'compute.host.nic.down':
    case 'compute.host.nic.up':
    case 'compute.host.nic.missing': {
      const host = state.hosts.get(details.hostname);
      // Only the host itself can see its links: from our monitor on that node, or a Doctor monitor
      // (no observer field) running there.
      if (!host || (details.observer !== undefined && details.observer !== details.hostname)) return changed;
      const name = details.interface ?? '';
      if (!host.nics.has(name) && host.nics.size >= maxInterfacesPerHost) return changed;
      const down = event.type === 'compute.host.nic.down';
      // A missing interface is a configuration error, not a link down: it ends whatever down was known.
      if (event.type === 'compute.host.nic.missing' && !host.nics.has(name)) return changed;
      return applyNic(host.nics, { ...order, interface: name, down, reporter, receivedAt })
        ? 'change'
        : changed;
    }
    case 'compute.host.isolated':
    case 'compute.host.connected': {
      const observer = details.hostname;
      if (!state.isolation.has(observer) && state.isolation.size >= maxKnownObservers) return changed;
      const isolated = event.type === 'compute.host.isolated';
      return applyIsolation(state.isolation, observer, { ...order, isolated }) ? 'change' : changed;
    }
    case 'compute.host.heartbeat':
      return stronger(applyHeartbeat(state, event, reporter, order, receivedAt, dropped), changed);
    default:
      return changed;
  }
}

/** A heartbeat repeats the observer's verdict on every peer it watches, and tells which it watches. */
function applyHeartbeat(
  state: EngineState,
  event: HostEvent,
  reporter: string,
  order: Ordered,
  receivedAt: number,
  dropped: string[] | undefined,
): Effect {
  const peers = event.details.peers;
  if (peers === undefined) return 'none';
  let effect: Effect = 'none';
  const watched = new Set<string>();
  for (const peer of peers) {
    watched.add(peer.hostname);
    const host = state.hosts.get(peer.hostname);
    if (!host || peer.hostname === reporter) continue;
    const recorded = recordVerdict(host, reporter, peer.status, order, receivedAt, undefined);
    if (recorded !== 'none') indexVerdict(state, reporter, host.name);
    effect = stronger(effect, recorded);
  }
  // Hosts it no longer lists (the peer assignment moved): its old verdicts about them stop counting.
  // Only the hosts it holds verdicts about are visited, so a heartbeat costs O(its peers), not O(hosts).
  const indexed = state.watchedBy.get(reporter);
  for (const name of indexed ?? []) {
    if (watched.has(name)) continue;
    const host = state.hosts.get(name);
    const current = host?.verdicts.get(reporter);
    if (current === undefined) {
      indexed?.delete(name); // the host or the verdict is gone: the entry is stale
      continue;
    }
    if (!host || !supersedes(order, current)) continue;
    host.verdicts.delete(reporter);
    indexed?.delete(name);
    host.forgotten.set(reporter, { ...order });
    dropped?.push(name);
    effect = 'change';
  }
  return effect;
}

function recordVerdict(
  host: HostRecord,
  observer: string,
  verdict: Verdict,
  order: Ordered,
  receivedAt: number,
  rttMilliseconds: number | undefined,
): Effect {
  if (!supersedes(order, host.forgotten.get(observer))) return 'none';
  const current = host.verdicts.get(observer);
  if (!current && host.verdicts.size >= maxObserversPerHost) return 'none';
  const report = {
    observer,
    verdict,
    ...order,
    receivedAt,
    ...(rttMilliseconds === undefined ? {} : { rttMilliseconds }),
  };
  if (!applyVerdict(host.verdicts, report)) return 'none';
  host.forgotten.delete(observer);
  const baselineChanged = host.baseline !== 'Unknown';
  host.baseline = 'Unknown';
  // A repeated down refreshes its freshness, which can complete a quorum; a repeated up cannot matter.
  return current?.verdict === verdict && verdict !== 'down' && !baselineChanged ? 'repeat' : 'change';
}

function remember(heardFrom: Set<string>, observer: string): boolean {
  if (heardFrom.has(observer) || heardFrom.size >= maxKnownObservers) return false;
  heardFrom.add(observer);
  return true;
}

/**
 * Observers whose reports are not evidence: isolated ones, hosts with an open fault (Down, and also
 * Recovering: a host just back is not trusted as a witness until it is Healthy; this also keeps two hosts
 * that accuse each other from flipping between Down and Recovering), and hosts in maintenance (planned
 * work often disturbs the host's own network).
 */
export function ineligibleObservers(state: EngineState): Set<string> {
  // A copy, not a view: an evaluation round must judge every host against the same witnesses.
  const ineligible = new Set<string>();
  for (const [observer, record] of state.isolation) if (record.isolated) ineligible.add(observer);
  for (const host of state.hosts.values()) {
    if (host.maintenance || host.fault) ineligible.add(host.name);
  }
  return ineligible;
}

/**
 * The same judgement as ineligibleObservers, answered per observer from the live state in constant time:
 * for reads that change nothing (snapshots), which would otherwise cost O(hosts) each.
 */
export function ineligibilityView(state: EngineState): { has(observer: string): boolean } {
  return {
    has(observer) {
      if (state.isolation.get(observer)?.isolated === true) return true;
      const host = state.hosts.get(observer);
      return host !== undefined && (host.maintenance || host.fault !== undefined);
    },
  };
}

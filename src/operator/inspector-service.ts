// The inspector as the operator runs it: one correlation engine per FaultPolicy, fed by /events and a
// clock, seeded from HostHealth status and the policy's held hosts when this replica becomes the leader.
// Its decisions become HostHealth status (state, observers, faults, timeline T00-T03), the policy's
// StormActive condition and held hosts, Events, and calls to remediation. The engines themselves are
// pure (src/inspector).
import { eventReasons } from '../api/event-reasons.js';
import type { HostEvent } from '../api/events.js';
import { ConditionReason, ConditionType } from '../api/conditions.js';
import { maxStormHeldHosts } from '../api/schema/faultpolicy.js';
import type { FaultPolicy, FaultPolicyStatus, HostHealth, HostHealthStatus } from '../api/types.js';
import type { EngineConfig } from '../inspector/config.js';
import type {
  Decision,
  HostDownDecision,
  HostHealthyDecision,
  HostSnapshot,
} from '../inspector/decisions.js';
import { createCorrelationEngine, type CorrelationEngine } from '../inspector/engine.js';
import { persistedFromHostHealth } from '../inspector/restore.js';
import { observerCount, ringKey } from '../contracts/observer-ring.js';
import type { Logger } from '../observability/logger.js';
import { setCondition } from './conditions.js';
import { maintenanceActive } from './hosthealth-changes.js';
import type { EventRecorder } from '../runtime/event-recorder.js';
import type { ReadCache } from '../runtime/read-cache.js';
import type { ReporterIdentity } from '../intake/authenticator.js';
import type { EventSink } from '../intake/http.js';
import { MissingInterfaces } from './interface-reports.js';
import type { CoalescingStatusWriter } from '../runtime/coalescing-status-writer.js';
import { errorText } from '../util/error-text.js';
import { DeferredKubeWrites } from './deferred-kube-writes.js';
import { observeDetection, type InspectorMetrics } from './inspector-metrics.js';

/** Set by a test harness on a HostHealth just before it injects a fault: the timeline's T00. */
export const faultInjectedAnnotation = 'doctor.io/fault-injected-at';

export interface HostDownInput {
  policy: FaultPolicy;
  node: string;
  novaHost: string;
  decision: HostDownDecision;
  injectedAt?: string;
}

export interface HostRecoveredInput {
  policy: FaultPolicy;
  node: string;
  novaHost: string;
  decision: HostHealthyDecision;
}

/** Executes decisions (Nova, node taint, notifications); resumable, so it may be called again. */
export interface Remediation {
  hostDown(input: HostDownInput): Promise<void>;
  hostRecovered(input: HostRecoveredInput): Promise<void>;
  /** Stops acting at once; resolves when in-flight work has recorded its outcome. */
  stop(): Promise<void>;
}

export interface InspectorDeps {
  policies: ReadCache<FaultPolicy>;
  hostHealths: ReadCache<HostHealth>;
  hostStatus: CoalescingStatusWriter;
  updatePolicyStatus(name: string, update: (status: FaultPolicyStatus) => FaultPolicyStatus): Promise<void>;
  events: Pick<EventRecorder, 'record'>;
  remediation?: Remediation;
  log: Logger;
  now?: () => number;
  metrics?: InspectorMetrics;
}

/** The observer list last written for a host. */
interface ObserverWrite {
  at: number;
  key: string;
  /** The engine's revision (unique across engines) when the list was last compared. */
  revision: number;
}

interface PolicyEngine {
  engine: CorrelationEngine;
  configKey: string;
}

const tickIntervalMs = 200;
/** The recovery steps of a fault, as HostHealth status records them. */
const upStepNames = ['unforce', 'untaint', 'notifyUp'] as const;
/** Hosts whose reports were ignored that are logged once each; beyond this they are not logged. */
export const maxUnknownHostsLogged = 1_000;
/**
 * Observer lists are written when something moved (an observer came or went, reachability, verdict or
 * whether it counts as evidence); otherwise only their lastReportTime would change, which is refreshed at
 * most this often: at 1000 nodes a shorter period means dozens of status writes a second for nothing.
 */
export const observerRefreshMs = 5 * 60_000;
const timelineLaterPoints = { T04: null, T05: null, T06: null, T07: null, T08: null };
/** A monitor silent this long (six heartbeats) counts as silent in the metrics. */
export const monitorSilentAfterMs = 30_000;
/** Host states that explain a silent monitor: its host is down or in maintenance. */
const silenceExplained = new Set(['Down', 'Maintenance']);

export class InspectorService implements EventSink {
  private readonly engines = new Map<string, PolicyEngine>();
  private readonly lastObserverWrite = new Map<string, ObserverWrite>();
  private readonly unknownHostsLogged = new Set<string>();
  private readonly missingInterfaces: MissingInterfaces;
  private timer: NodeJS.Timeout | undefined;
  private active = false;
  /** When each monitor (by its node) last reported to this leader; bounded by the HostHealths. */
  private readonly lastHeard = new Map<string, number>();
  private activeSince = 0;
  /** When an engine last decided something (a state change, a fault, a storm). */
  private lastDecisionAt = 0;
  private readonly now: () => number;
  /** Status, Events and policy status start after the turn that decided: Nova calls leave first. */
  private readonly kube: DeferredKubeWrites;

  constructor(private readonly deps: InspectorDeps) {
    this.now = deps.now ?? Date.now;
    this.missingInterfaces = new MissingInterfaces(deps);
    this.kube = new DeferredKubeWrites(deps.hostStatus);
  }

  accepting(): boolean {
    return this.active;
  }

  /** Becomes the acting inspector: engines restored from HostHealth status, unfinished faults resumed. */
  start(): void {
    if (this.active) return;
    this.active = true;
    this.activeSince = this.now();
    this.lastHeard.clear();
    this.engines.clear();
    this.resync();
    this.resumeOpenFaults();
    this.timer = setInterval(() => this.tick(), tickIntervalMs);
    this.timer.unref();
  }

  /** Refuses reports from now on; resolves when remediation has stopped. */
  async stop(): Promise<void> {
    this.active = false;
    this.kube.stop('this replica stopped leading');
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.engines.clear();
    await this.deps.remediation?.stop();
  }

  /** Policies or HostHealth specs changed: create, reconfigure or drop engines. */
  resync(): void {
    if (!this.active) return;
    const now = this.now();
    const seen = new Set<string>();
    for (const policy of this.deps.policies.list()) {
      if (policy.metadata.deletionTimestamp) continue;
      const name = policy.metadata.name;
      seen.add(name);
      const hosts = this.hostHealthsOf(name).map((h) => ({
        name: h.metadata.name,
        maintenance: (h.spec?.maintenance?.enabled ?? false) || maintenanceActive(h),
      }));
      // Cheap to compare on every HostHealth event; the observer ring is only rebuilt when this changes.
      const configKey = JSON.stringify([
        policy.spec.detection,
        policy.spec.protection,
        policy.spec.monitor.peers,
        hosts,
      ]);
      const existing = this.engines.get(name);
      if (existing?.configKey === configKey) continue;
      const config: EngineConfig = {
        detection: policy.spec.detection,
        protection: policy.spec.protection,
        hosts,
        observers: observerAssignment(
          hosts.map((h) => h.name),
          policy.spec.monitor.peers,
        ),
      };
      if (!existing) {
        const engine = createCorrelationEngine(config);
        const persisted = this.hostHealthsOf(name).map(persistedFromHostHealth);
        engine.restore(persisted, now, policy.status?.stormHeldHosts ?? []);
        // A storm no held host is left of (they were removed, or never recorded) has nothing to end it.
        const stormShown = policy.status?.conditions?.some(
          (c) => c.type === ConditionType.StormActive && c.status === 'True',
        );
        if (stormShown && engine.stormHosts().length === 0) void this.clearStorm(name);
        this.engines.set(name, { engine, configKey });
        this.deps.metrics?.stormHolds.inc({ policy: name }, 0);
        this.deps.log.info('inspector engine started', { policy: name, hosts: config.hosts.length });
      } else {
        existing.configKey = configKey;
        this.handle(name, existing.engine.updateConfig(config, now));
      }
    }
    for (const name of [...this.engines.keys()]) if (!seen.has(name)) this.engines.delete(name);
  }

  /** Resolves once the decisions this batch caused (state changes, a host declared Down) are written to
   * HostHealth status; rejects when such a write failed. Observer lists are not waited for. Nothing is
   * returned when the batch decided nothing (a heartbeat's usual case): there is nothing to wait for. */
  accept(events: HostEvent[], receivedAt: number, identity: ReporterIdentity): Promise<void> | undefined {
    if (!this.active) return undefined;
    this.heardFrom(
      identity.observer ?? events[0]?.details.observer ?? events[0]?.details.monitor,
      receivedAt,
    );
    this.missingInterfaces.observe(events);
    const decisionWrites: Promise<void>[] = [];
    const byPolicy = new Map<string, HostEvent[]>();
    for (const event of events) {
      const host = event.details.hostname;
      const policy = this.deps.hostHealths.get(host)?.spec?.policy;
      if (!policy || !this.engines.has(policy)) {
        // Bounded: a reporter naming endless made-up hosts must not grow the operator.
        if (!this.unknownHostsLogged.has(host) && this.unknownHostsLogged.size < maxUnknownHostsLogged) {
          this.unknownHostsLogged.add(host);
          this.deps.log.warn('report about a host no policy monitors; ignored', {
            host,
            reporter: identity.name,
          });
        }
        continue;
      }
      const list = byPolicy.get(policy) ?? [];
      list.push(event);
      byPolicy.set(policy, list);
    }
    for (const [policy, list] of byPolicy) {
      const engine = this.engines.get(policy)!.engine;
      this.handle(policy, engine.observe(list, receivedAt), decisionWrites);
      const touched = new Set<string>();
      for (const event of list) {
        touched.add(event.details.hostname);
        for (const peer of event.details.peers ?? []) touched.add(peer.hostname);
      }
      for (const host of touched) this.writeObservers(engine, host);
    }
    return decisionWrites.length === 0 ? undefined : Promise.all(decisionWrites).then(() => undefined);
  }

  /** Only monitors of monitored hosts are remembered: a client cannot grow the map with made-up names. */
  private heardFrom(observer: string | undefined, at: number): void {
    if (observer !== undefined && this.deps.hostHealths.get(observer) !== undefined)
      this.lastHeard.set(observer, at);
  }

  /** No engine decided anything for `ms`: no fault is being handled now. */
  quietFor(ms: number): boolean {
    return this.now() - this.lastDecisionAt >= ms;
  }

  /** Hosts each policy's storm guard holds back now (policies with an engine). */
  stormHeld(): Map<string, number> {
    const held = new Map<string, number>();
    for (const [policy, { engine }] of this.engines) held.set(policy, engine.stormHosts().length);
    return held;
  }

  /**
   * Per policy with an engine: seconds since the least recent report of its monitors (each selected
   * node runs one), and how many have been silent beyond monitorSilentAfterMs. A monitor not heard
   * since this replica started leading counts from then. Hosts Down or in maintenance are left out.
   */
  monitorHeartbeats(): Map<string, { oldestAgeSeconds: number; silent: number }> {
    const now = this.now();
    const out = new Map<string, { oldestAgeSeconds: number; silent: number }>();
    for (const policy of this.engines.keys()) out.set(policy, { oldestAgeSeconds: 0, silent: 0 });
    for (const host of this.deps.hostHealths.list()) {
      const beat = out.get(host.spec?.policy ?? '');
      if (!beat || silenceExplained.has(host.status?.state ?? '') || host.spec?.maintenance?.enabled)
        continue;
      const age = now - (this.lastHeard.get(host.metadata.name) ?? this.activeSince);
      beat.oldestAgeSeconds = Math.max(beat.oldestAgeSeconds, age / 1000);
      if (age > monitorSilentAfterMs) beat.silent++;
    }
    return out;
  }

  private tick(): void {
    const now = this.now();
    for (const [policy, { engine }] of this.engines) {
      const wake = engine.nextWakeAt();
      if (wake !== undefined && wake <= now) this.handle(policy, engine.tick(now));
    }
  }

  private hostHealthsOf(policy: string): HostHealth[] {
    return (
      this.deps.hostHealths
        .list()
        // A HostHealth being deleted is let go of (its remediation undone): no new decision about it.
        .filter((h) => h.spec?.policy === policy && !h.metadata.deletionTimestamp)
        .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    );
  }

  private handle(policyName: string, decisions: Decision[], decisionWrites: Promise<void>[] = []): void {
    const entry = this.engines.get(policyName);
    if (!entry) return;
    if (decisions.length > 0) this.lastDecisionAt = this.now();
    for (const decision of decisions) {
      switch (decision.kind) {
        case 'stateChanged': {
          const snapshot = entry.engine.snapshot(decision.host);
          const written = this.writeStatus(decision.host, {
            state: decision.to,
            lastTransitionTime: decision.at,
            message: stateMessage(snapshot, decision.to),
            ...(snapshot ? snapshotStatus(snapshot) : {}),
          });
          decisionWrites.push(written);
          break;
        }
        case 'hostDown': {
          const written = this.onHostDown(policyName, entry.engine, decision);
          if (written) decisionWrites.push(written);
          break;
        }
        case 'hostRecovering':
          break; // stateChanged carries it
        case 'hostHealthy':
          this.onHostHealthy(policyName, decision);
          break;
        case 'stormActive':
          this.deps.metrics?.stormHolds.inc({ policy: policyName });
          this.kube.later(
            () => void this.onStorm(policyName, decision.hosts, decision.limit, decision.unhealthy),
          );
          break;
        case 'stormCleared':
          this.kube.later(() => void this.clearStorm(policyName));
          break;
      }
      // Logged on the next turn: a host-down's Nova calls do not wait for the log line. Not dropped by
      // stop(), unlike the writes: what was decided is logged even when this replica steps down.
      setImmediate(() =>
        this.deps.log.info(`inspector decision: ${decision.kind}`, { policy: policyName, ...decision }),
      );
    }
  }

  /** Returns the write of the Down status, for the report's answer to wait on. */
  private onHostDown(
    policyName: string,
    engine: CorrelationEngine,
    decision: HostDownDecision,
  ): Promise<void> | undefined {
    const policy = this.deps.policies.get(policyName);
    const hostHealth = this.deps.hostHealths.get(decision.host);
    if (!policy || !hostHealth) return undefined;
    const snapshot = engine.snapshot(decision.host);
    const injectedAt = hostHealth.metadata.annotations?.[faultInjectedAnnotation];
    const timeline = {
      faultId: decision.faultId,
      ...(injectedAt ? { T00: injectedAt } : {}),
      T01: decision.detectedAt,
      T02: decision.firstReportReceivedAt,
      T03: decision.declaredAt,
    };
    if (!decision.reopened && this.deps.metrics) observeDetection(this.deps.metrics, timeline);
    const status: Record<string, unknown> = {
      state: 'Down',
      lastTransitionTime: decision.declaredAt,
      message: decision.reason,
      ...(snapshot ? snapshotStatus(snapshot) : {}),
      // A new fault starts a new timeline; a reopened one keeps the points already reached.
      timeline: decision.reopened ? timeline : { ...timelineLaterPoints, ...timeline },
    };
    // Remediation starts first: its Nova calls leave without waiting on the API server. The Down status
    // below is queued for the next turn (setImmediate), still before any remediation progress (the job
    // writes from a timer, which runs after it).
    if (!policy.spec.paused) {
      const novaHost = hostHealth.status?.novaHost ?? decision.host;
      this.deps.remediation
        ?.hostDown({ policy, node: decision.host, novaHost, decision, ...(injectedAt ? { injectedAt } : {}) })
        .catch((err: unknown) =>
          this.deps.log.error('remediation failed', {
            host: decision.host,
            error: errorText(err),
          }),
        );
    }
    const written = this.writeStatus(decision.host, status);
    // This Event is the one HostDown of the fault (remediation records only its steps), paused or not.
    this.recordOnHost(
      hostHealth,
      'Warning',
      eventReasons.hostDown,
      `Host ${decision.host} (Nova host ${hostHealth.status?.novaHost ?? decision.host}) is down, fault ${decision.faultId}: ${decision.reason}${policy.spec.paused ? '; policy paused, no remediation' : ''}`,
    );
    if (policy.spec.paused)
      this.deps.log.warn('policy paused: host declared Down, no remediation', {
        policy: policyName,
        host: decision.host,
      });
    return written;
  }

  private onHostHealthy(policyName: string, decision: HostHealthyDecision): void {
    const policy = this.deps.policies.get(policyName);
    const hostHealth = this.deps.hostHealths.get(decision.host);
    if (!policy || !hostHealth) return;
    this.recordOnHost(
      hostHealth,
      'Normal',
      eventReasons.hostRecovered,
      `host ${decision.host} is healthy again (fault ${decision.faultId} closed)`,
    );
    if (policy.spec.paused) return;
    const novaHost = hostHealth.status?.novaHost ?? decision.host;
    this.deps.remediation
      ?.hostRecovered({ policy, node: decision.host, novaHost, decision })
      .catch((err: unknown) =>
        this.deps.log.error('recovery actions failed', {
          host: decision.host,
          error: errorText(err),
        }),
      );
  }

  private clearStorm(policyName: string): Promise<void> {
    return this.deps.updatePolicyStatus(policyName, ({ stormHeldHosts: _cleared, ...status }) => ({
      ...status,
      conditions: setCondition(
        status.conditions,
        {
          type: ConditionType.StormActive,
          status: 'False',
          reason: ConditionReason.WithinLimit,
          message: 'unhealthy hosts are within protection.maxUnhealthy',
        },
        undefined,
      ),
    }));
  }

  private async onStorm(
    policyName: string,
    hosts: string[],
    limit: number,
    unhealthy: number,
  ): Promise<void> {
    const policy = this.deps.policies.get(policyName);
    const message = `storm guard: ${hosts.length} more host(s) qualify as Down with ${unhealthy} already unhealthy, beyond protection.maxUnhealthy (${limit}); acting on none of: ${hosts.join(', ')}`;
    await this.deps.updatePolicyStatus(policyName, (status) => ({
      ...status,
      stormHeldHosts: hosts.slice(0, maxStormHeldHosts),
      conditions: setCondition(
        status.conditions,
        {
          type: ConditionType.StormActive,
          status: 'True',
          reason: ConditionReason.TooManyUnhealthy,
          message: message.slice(0, 2000),
        },
        undefined,
      ),
    }));
    if (policy) {
      await this.deps.events.record(
        { apiVersion: policy.apiVersion, kind: 'FaultPolicy', name: policyName, uid: policy.metadata.uid },
        'Warning',
        eventReasons.stormActive,
        message,
      );
    }
  }

  /** An Event on the host's HostHealth and on its Node (same name), where `kubectl describe` shows both. */
  private recordOnHost(
    hostHealth: HostHealth,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): void {
    const node = { apiVersion: 'v1', kind: 'Node', name: hostHealth.metadata.name };
    for (const target of [hostHealthTarget(hostHealth), node])
      this.kube.later(() => void this.deps.events.record(target, type, reason, message));
  }

  /** Failures are logged by the writer; the next decision or refresh writes again. The returned promise
   * is for callers that wait on the write; nobody has to. */
  private writeStatus(host: string, status: Record<string, unknown>): Promise<void> {
    const written = this.kube.status(host, status);
    written.catch(() => undefined);
    return written;
  }

  /** Observer lists follow heartbeats; they are written when something moved, else now and then. */
  private writeObservers(engine: CorrelationEngine, host: string): void {
    const last = this.lastObserverWrite.get(host);
    const now = this.now();
    const fresh = last !== undefined && now - last.at < observerRefreshMs;
    // The engine has not re-evaluated since this host's list was last compared: it cannot have moved,
    // so a heartbeat repeating its verdicts costs a lookup here, not a snapshot.
    const revision = engine.revision();
    if (fresh && last.revision === revision) return;
    const snapshot = engine.snapshot(host);
    if (!snapshot) return;
    const key = JSON.stringify(snapshot.observers.map((o) => [o.node, o.reachable, o.verdict, o.evidence]));
    if (fresh && last.key === key) {
      last.revision = revision;
      return;
    }
    this.lastObserverWrite.set(host, { at: now, key, revision });
    void this.writeStatus(host, { observers: snapshotStatus(snapshot).observers });
  }

  /** A new leader picks up faults whose remediation had not finished (the executor skips done steps),
   * and recoveries (un-force, untaint, notify "up") that a former leader started but did not finish. */
  private resumeOpenFaults(): void {
    for (const hostHealth of this.deps.hostHealths.list()) {
      const status = hostHealth.status;
      if (!status || hostHealth.metadata.deletionTimestamp) continue;
      const policy = this.deps.policies.get(hostHealth.spec.policy);
      if (!policy || policy.spec.paused || !this.remediationAvailable()) continue;
      if (status.state === 'Down') this.resumeHostDown(policy, hostHealth, status);
      else if (status.state === 'Healthy') this.resumeRecovery(policy, hostHealth, status);
    }
  }

  private resumeHostDown(policy: FaultPolicy, hostHealth: HostHealth, status: HostHealthStatus): void {
    const timeline = status.timeline;
    if (!timeline?.faultId || !timeline.T01 || !timeline.T03 || timeline.T08) return;
    const fault = status.faults?.find((f) => f.id === timeline.faultId);
    const decision: HostDownDecision = {
      kind: 'hostDown',
      host: hostHealth.metadata.name,
      faultId: timeline.faultId,
      cause: fault?.type === 'compute.host.nic.down' ? 'nic' : 'quorum',
      evidence: [],
      reason: fault?.reason ?? status.message ?? 'resumed after an operator restart',
      detectedAt: timeline.T01,
      firstReportReceivedAt: timeline.T02 ?? timeline.T01,
      declaredAt: timeline.T03,
      reopened: true,
      at: new Date(this.now()).toISOString(),
    };
    this.deps.log.info('resuming remediation of an open fault', {
      host: decision.host,
      faultId: decision.faultId,
    });
    this.deps.remediation
      ?.hostDown({
        policy,
        node: decision.host,
        novaHost: status.novaHost ?? decision.host,
        decision,
        ...(timeline.T00 ? { injectedAt: timeline.T00 } : {}),
      })
      .catch((err: unknown) =>
        this.deps.log.error('resumed remediation failed', {
          host: decision.host,
          error: errorText(err),
        }),
      );
  }

  /** Healthy again, but a recovery step of its last fault is not finished (or never started). */
  private resumeRecovery(policy: FaultPolicy, hostHealth: HostHealth, status: HostHealthStatus): void {
    const remediation = status.remediation;
    if (!remediation?.faultId) return;
    const finished = (state: string | undefined) =>
      state === 'Done' || state === 'Skipped' || state === 'Failed';
    if (upStepNames.every((step) => finished(remediation[step]?.state))) return;
    const decision: HostHealthyDecision = {
      kind: 'hostHealthy',
      host: hostHealth.metadata.name,
      faultId: remediation.faultId,
      at: status.lastTransitionTime ?? new Date(this.now()).toISOString(),
    };
    this.deps.log.info('resuming the recovery of a closed fault', {
      host: decision.host,
      faultId: decision.faultId,
    });
    this.deps.remediation
      ?.hostRecovered({ policy, node: decision.host, novaHost: status.novaHost ?? decision.host, decision })
      .catch((err: unknown) =>
        this.deps.log.error('resumed recovery failed', {
          host: decision.host,
          error: errorText(err),
        }),
      );
  }

  private remediationAvailable(): boolean {
    return this.deps.remediation !== undefined;
  }
}

/** Which monitors watch which host: the same ring the monitors use (src/monitor/peers.ts), built once. */
export function observerAssignment(hostNames: string[], peers: number): Record<string, string[]> {
  // One key per host, not two per comparison: the sort would hash each name ~2 log n times.
  const keys = new Map(hostNames.map((name) => [name, ringKey(name)]));
  const ring = [...hostNames].sort((a, b) => {
    const ka = keys.get(a)!;
    const kb = keys.get(b)!;
    return ka < kb ? -1 : ka > kb ? 1 : a < b ? -1 : 1;
  });
  const count = observerCount(ring.length, peers);
  const assignment: Record<string, string[]> = {};
  ring.forEach((host, at) => {
    assignment[host] = Array.from({ length: count }, (_, i) => ring[(at + 1 + i) % ring.length]!);
  });
  return assignment;
}

function hostHealthTarget(hostHealth: HostHealth) {
  return {
    apiVersion: hostHealth.apiVersion,
    kind: 'HostHealth',
    name: hostHealth.metadata.name,
    uid: hostHealth.metadata.uid,
  };
}

function snapshotStatus(
  snapshot: HostSnapshot,
): Pick<HostHealthStatus, 'observers' | 'faults' | 'activeFaults'> {
  return {
    observers: snapshot.observers.map((o) => ({
      node: o.node,
      reachable: o.reachable,
      lastReportTime: o.lastReportTime,
      ...(o.rttMilliseconds !== undefined ? { rttMilliseconds: o.rttMilliseconds } : {}),
    })),
    faults: snapshot.faults,
    activeFaults: snapshot.fault ? 1 : 0,
  };
}

function stateMessage(snapshot: HostSnapshot | undefined, state: string): string {
  if (!snapshot) return state;
  const down = snapshot.observers.filter((o) => o.verdict === 'down' && o.evidence).map((o) => o.node);
  switch (state) {
    case 'Suspect':
      return `${down.length} of ${snapshot.effectiveQuorum} observers needed report it down: ${down.join(', ')}`;
    case 'Recovering':
      return 'reachable again; waiting healthySeconds before recovery actions';
    case 'Maintenance':
      return 'in maintenance (spec.maintenance.enabled): not acted on';
    case 'Healthy':
      return 'observers reach it';
    default:
      return snapshot.fault?.reason ?? state;
  }
}

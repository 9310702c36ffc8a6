// Connects the inspector's decisions to a RemediationExecutor built on the Kubernetes adapters. A new
// executor is made each time this replica starts leading (a stopped one cannot be reused), so a replica
// that loses the lease stops acting at once and a re-elected one resumes from HostHealth status, read
// from the informer cache: a fault never waits for the API server. While leading, each policy's Nova
// work (token, microversion, service ids, server lists of its hosts) is refreshed in the background.
import type * as k8s from '@kubernetes/client-node';
import type { FaultPolicy, HostHealth } from '../api/types.js';
import { RemediationExecutor } from '../remediation/index.js';
import type { HostDownInput, HostRecoveredInput, Remediation } from './inspector-service.js';
import type { SecretReader } from '../remediation/index.js';
import type { EventSink, NodeTainter } from '../remediation/ports.js';
import type { HostRelease } from './policy-reconciler.js';
import type { LeaderWiringDeps } from './leader-wiring-deps.js';
import { needsRelease } from '../remediation/host-release.js';
import type { RemediationView } from '../remediation/status.js';
import {
  cachedHostHealthStatusReader,
  hostHealthStatusWriter,
  namespaceSecretReader,
  nodeTainter,
} from './remediation-adapters.js';
import { errorText } from '../util/error-text.js';
import type { RemediationMetrics } from '../remediation/metrics.js';
import type { NovaReachableConditions } from './nova-reachable.js';
import type { Rehearsals } from './rehearsals.js';

export interface RemediationWiringDeps extends LeaderWiringDeps {
  custom: k8s.CustomObjectsApi;
  /** How often each policy's Nova work is refreshed. */
  warmUpPeriodMs?: number;
  metrics?: RemediationMetrics;
  /** The policies' NovaReachable conditions, from every warm-up and Nova call. */
  novaReachable?: NovaReachableConditions;
  /** Told of every Nova warm-up: a policy with new settings is rehearsed (rehearsals.ts). */
  rehearsals?: Pick<Rehearsals, 'afterWarmUp' | 'forget'>;
}

const defaultWarmUpPeriodMs = 30_000;

/**
 * Starts a Kubernetes call on the next turn of the event loop. A job starts its steps together; the API
 * client's work for a taint or an Event (building and sending the request) would otherwise run before
 * the Nova requests of the same turn are on the wire.
 */
function nextTurn<T>(call: () => Promise<T>): Promise<T> {
  return new Promise<void>((resolve) => setImmediate(resolve)).then(call);
}

export function taintsAfterThisTurn(tainter: NodeTainter): NodeTainter {
  return {
    ensureTaint: (node, taint) => nextTurn(() => tainter.ensureTaint(node, taint)),
    removeTaint: (node, key, effect) => nextTurn(() => tainter.removeTaint(node, key, effect)),
  };
}

export function eventsAfterThisTurn(events: EventSink): EventSink {
  return { record: (...args) => nextTurn(() => events.record(...args)) };
}

/**
 * Hands out one turn of the event loop per caller: the first caller of a turn goes at once, each further
 * one on a later turn (setImmediate). When a rack fails, a report declares many hosts Down at once; a
 * host's Nova requests only go on the wire once the turn's synchronous work is over, so starting every
 * job in one turn would hold the first request back until all jobs had built all of theirs.
 */
export class TurnGate {
  private busy = false;
  private readonly waiting: (() => void)[] = [];

  take(): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      setImmediate(() => this.pass());
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private pass(): void {
    const next = this.waiting.shift();
    if (next === undefined) {
      this.busy = false;
      return;
    }
    next();
    setImmediate(() => this.pass());
  }
}

export class LeaderRemediation implements Remediation, HostRelease {
  private executor: RemediationExecutor | undefined;
  private readonly turns = new TurnGate();
  private warmUpTimer: NodeJS.Timeout | undefined;
  private secrets: SecretReader | undefined;
  /** Per policy: what the last warm-up covered (Nova settings and hosts), and whether one is running. */
  private readonly warmed = new Map<string, { key: string; running: boolean }>();

  constructor(private readonly deps: RemediationWiringDeps) {}

  /** Called when this replica starts leading. */
  activate(): void {
    this.secrets = namespaceSecretReader(this.deps.core, this.deps.namespace);
    this.executor = new RemediationExecutor({
      statusWriter: hostHealthStatusWriter(this.deps.hostStatus),
      statusReader: cachedHostHealthStatusReader(this.deps.hostHealths),
      secrets: this.secrets,
      tainter: taintsAfterThisTurn(nodeTainter(this.deps.core)),
      events: eventsAfterThisTurn(this.deps.events),
      logger: this.deps.log,
      ...(this.deps.metrics ? { metrics: this.deps.metrics } : {}),
      ...(this.deps.novaReachable
        ? { novaReachability: this.deps.novaReachable.observe.bind(this.deps.novaReachable) }
        : {}),
    });
    clearInterval(this.warmUpTimer);
    this.warmed.clear();
    this.warmUpTimer = setInterval(() => {
      for (const policy of this.deps.policies.list()) this.warmUp(policy, true);
    }, this.deps.warmUpPeriodMs ?? defaultWarmUpPeriodMs);
    this.warmUpTimer.unref();
  }

  /** A policy event: warms up again only when its Nova settings or its hosts changed (not on status). */
  policyChanged(policy: FaultPolicy): void {
    this.warmUp(policy, false);
  }

  /**
   * Logs in to Keystone, negotiates the Nova microversion and learns the service ids and server lists of
   * the policy's hosts before a fault needs them. One at a time per policy.
   */
  private warmUp(policy: FaultPolicy, periodic: boolean): void {
    if (!this.executor || policy.metadata.deletionTimestamp) return;
    // Keeps the consumers' HMAC keys in the Secret cache: a notification never waits for a Secret GET.
    for (const target of policy.spec.actions.notify)
      if (target.secretRef)
        this.secrets?.read(target.secretRef.name, target.secretRef.key).catch(() => undefined);
    const name = policy.metadata.name;
    if (!policy.spec.actions.nova) {
      this.deps.novaReachable?.notUsed(name);
      return;
    }
    const novaHosts = this.deps.hostHealths
      .list()
      .filter((h) => h.spec?.policy === name)
      .map((h) => h.status?.novaHost ?? h.metadata.name)
      .sort();
    const key = JSON.stringify([policy.spec.actions.nova, novaHosts]);
    const last = this.warmed.get(name);
    if (last?.running || (!periodic && last?.key === key)) return;
    const state = { key, running: true };
    this.warmed.set(name, state);
    this.executor
      .warmUp(policy, novaHosts)
      .then(
        (outcome) => {
          if (outcome.failures.length > 0)
            this.deps.log.warn('could not learn everything about the hosts of the policy from Nova', {
              policy: name,
              failures: outcome.failures.slice(0, 5),
            });
          void this.deps.rehearsals?.afterWarmUp(policy);
        },
        (err: unknown) =>
          this.deps.log.warn('could not prepare the Nova client of the policy (will retry at fault time)', {
            policy: name,
            error: errorText(err),
          }),
      )
      .finally(() => (state.running = false));
  }

  policyDeleted(name: string): void {
    this.warmed.delete(name);
    this.deps.rehearsals?.forget(name);
    this.deps.novaReachable?.forget(name);
    this.executor?.forgetPolicy(name);
  }

  async hostDown(input: HostDownInput): Promise<void> {
    // Told now, before the gate: a force-down of this report goes before the resets of hosts started earlier.
    this.executor?.expectHostDown(input.policy, input.node);
    await this.turns.take();
    if (!this.executor) throw new Error('remediation is not active: this replica is not the leader');
    const result = await this.executor.hostDown({
      policy: input.policy,
      node: input.node,
      novaHost: input.novaHost,
      decision: {
        faultId: input.decision.faultId,
        detectedAt: input.decision.detectedAt,
        firstReportReceivedAt: input.decision.firstReportReceivedAt,
        declaredAt: input.decision.declaredAt,
        reopened: input.decision.reopened,
        reason: input.decision.reason,
      },
      ...(input.injectedAt ? { injectedAt: input.injectedAt } : {}),
    });
    this.deps.log.info('host-down remediation finished its steps', { host: input.node, ...result });
  }

  async hostRecovered(input: HostRecoveredInput): Promise<void> {
    // Through the same gate as hostDown: calls about one node still start in the order they were made.
    await this.turns.take();
    if (!this.executor) throw new Error('remediation is not active: this replica is not the leader');
    const result = await this.executor.hostRecovered({
      policy: input.policy,
      node: input.node,
      novaHost: input.novaHost,
      faultId: input.decision.faultId,
      at: input.decision.at,
    });
    this.deps.log.info('recovery actions finished', { host: input.node, ...result });
  }

  needsRelease(hostHealth: HostHealth): boolean {
    return needsRelease(hostHealth.status as RemediationView | undefined);
  }

  /** The HostHealth of a host under remediation goes away: undo what is left (see host-release.ts). */
  async releaseHost(policy: FaultPolicy, hostHealth: HostHealth): Promise<string> {
    await this.turns.take();
    if (!this.executor) throw new Error('remediation is not active: this replica is not the leader');
    const name = hostHealth.metadata.name;
    return this.executor.releaseHost({ policy, node: name, novaHost: hostHealth.status?.novaHost ?? name });
  }

  /** Leadership lost or shutdown: the executor stops acting at once; this resolves when it has written
   * what its in-flight steps did. */
  async stop(): Promise<void> {
    clearInterval(this.warmUpTimer);
    this.warmUpTimer = undefined;
    this.deps.novaReachable?.forget();
    const executor = this.executor;
    this.executor = undefined;
    await executor?.stop();
  }
}

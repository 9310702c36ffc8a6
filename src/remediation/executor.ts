// Executes the inspector's host decisions: hostDown and hostRecovered, one job per node at a time.
// Kubernetes is reached only through the injected ports (status writer and reader, Secrets, Node taints,
// Events), so the operator wires the real API and tests use fakes.
import { nextRetryDelay } from '../notify/index.js';
import { Limiter } from '../util/concurrency.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { HostDownJob, type HostDownInput, type HostDownResult } from './host-down-job.js';
import { releaseHost, type HostReleaseInput } from './host-release.js';
import { HostUpJob, type HostRecoveredInput, type HostRecoveredResult } from './host-up-job.js';
import type { Services } from './job-context.js';
import { defaultDeliver, type DeliverFn } from './notification-queue.js';
import { NovaClientCache, openStackNovaFactory } from './nova-clients.js';
import { resolveRemediationOptions, type RemediationOptionsInput } from './options.js';
import type {
  EventSink,
  HostHealthStatusReader,
  HostHealthStatusWriter,
  NodeTainter,
  NovaFactory,
  SecretReader,
} from './ports.js';
import type { RemediationView } from './status.js';
import type { FaultPolicy } from '../api/types.js';
import type { RefreshOutcome } from './host-directory.js';
import { createRemediationMetrics, type RemediationMetrics } from './metrics.js';
import { novaCallObserver, type NovaReachabilitySink } from './nova-reachability.js';
import { errorText } from '../util/error-text.js';
import { BurstOrder } from './burst-order.js';

export interface RemediationDeps {
  statusWriter: HostHealthStatusWriter;
  statusReader: HostHealthStatusReader;
  /** Secrets of the operator's namespace (clouds.yaml, HMAC keys). */
  secrets: SecretReader;
  tainter: NodeTainter;
  events: EventSink;
  logger?: Logger;
  /** Builds a Nova client from clouds.yaml text; the real OpenStack client by default. */
  novaFactory?: NovaFactory;
  /** One delivery attempt; src/notify deliver() by default. */
  deliver?: DeliverFn;
  /** Epoch milliseconds, for the times written to status. */
  now?: () => number;
  options?: RemediationOptionsInput;
  /** Nova, notification and latency metrics; a private registry by default. */
  metrics?: RemediationMetrics;
  /** Told whether each policy's Nova answered its last operation (the NovaReachable condition). */
  novaReachability?: NovaReachabilitySink;
}

type Job = HostDownJob | HostUpJob;

const timePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function requireText(value: unknown, field: string): void {
  if (typeof value !== 'string' || value.trim() === '')
    throw new TypeError(`${field} must be a non-empty string`);
}

function requireTime(value: unknown, field: string): void {
  if (typeof value !== 'string' || !timePattern.test(value) || Number.isNaN(Date.parse(value)))
    throw new TypeError(`${field} must be an RFC 3339 time, got ${JSON.stringify(value)}`);
}

function checkCommon(input: { policy: unknown; node: unknown; novaHost: unknown }): void {
  const policy = input.policy as { metadata?: { name?: unknown }; spec?: { actions?: unknown } } | undefined;
  requireText(policy?.metadata?.name, 'policy.metadata.name');
  if (typeof policy?.spec?.actions !== 'object' || policy.spec.actions === null)
    throw new TypeError('policy.spec.actions must be an object');
  requireText(input.node, 'node');
  requireText(input.novaHost, 'novaHost');
}

function checkHostDown(input: HostDownInput): void {
  checkCommon(input);
  const d = input.decision as Partial<HostDownInput['decision']> | undefined;
  requireText(d?.faultId, 'decision.faultId');
  requireTime(d?.detectedAt, 'decision.detectedAt');
  requireTime(d?.firstReportReceivedAt, 'decision.firstReportReceivedAt');
  requireTime(d?.declaredAt, 'decision.declaredAt');
  if (input.injectedAt !== undefined) requireTime(input.injectedAt, 'injectedAt');
}

export class RemediationExecutor {
  private readonly services: Services;
  private readonly jobs = new Map<string, Job>();
  /** Per node: the start of the latest call, so calls for one node begin in order. */
  private readonly starting = new Map<string, Promise<unknown>>();
  private stopped = false;

  constructor(deps: RemediationDeps) {
    const log = deps.logger ?? createLogger('remediation');
    const options = resolveRemediationOptions(deps.options);
    const metrics = deps.metrics ?? createRemediationMetrics();
    const burst = new BurstOrder({ fenceHoldMs: options.fenceHoldMs, kubeHoldMs: options.kubeHoldMs });
    const { tainter, events } = deps;
    this.services = {
      writer: deps.statusWriter,
      reader: deps.statusReader,
      secrets: deps.secrets,
      // Taints and Events wait (bounded) for the Nova work in flight, like status writes.
      tainter: {
        ensureTaint: (node, taint) => burst.afterNova(() => tainter.ensureTaint(node, taint)),
        removeTaint: (node, key, effect) => burst.afterNova(() => tainter.removeTaint(node, key, effect)),
      },
      events: { record: (...args) => burst.afterNova(() => events.record(...args)) },
      burst,
      log,
      nova: new NovaClientCache(
        deps.secrets,
        deps.novaFactory ?? openStackNovaFactory(),
        deps.now,
        undefined,
        novaCallObserver(metrics, deps.novaReachability),
      ),
      resetLimiter: new Limiter(options.globalResetConcurrency),
      deliver: deps.deliver ?? defaultDeliver,
      now: deps.now ?? Date.now,
      options,
      metrics,
    };
  }

  /**
   * Announces a hostDown call about to be made for `node` (the operator starts the calls of one report on
   * successive turns): its force-down then goes before the resets of the hosts already started. A call
   * that never comes holds the resets at most `fenceHoldMs`.
   */
  expectHostDown(policy: FaultPolicy, node: string): void {
    if (this.stopped || policy.spec?.actions?.nova?.forceDown !== true) return;
    this.services.burst.expectForceDown(node);
  }

  /** Force-downs announced or started and not answered yet (the resets of every job wait for them). */
  get pendingForceDowns(): number {
    return this.services.burst.pendingForceDowns;
  }

  /**
   * Remediates a host declared down, or resumes that remediation (same fault id) from HostHealth status.
   * Resolves after the first attempt of every step and notification; retries continue in the background
   * (see settled()). Rejects only on invalid input or after stop().
   */
  async hostDown(input: HostDownInput): Promise<HostDownResult> {
    try {
      checkHostDown(input);
    } catch (err) {
      if (typeof input?.node === 'string') this.services.burst.forceDownSettled(input.node);
      throw err;
    }
    const started = this.serially(input.node, async () => {
      const current = this.jobs.get(input.node);
      // The same decision again (a repeated event, a second call): nothing is repeated.
      if (current instanceof HostDownJob && current.faultId === input.decision.faultId) {
        if (!current.forceDownInFlight) this.services.burst.forceDownSettled(input.node);
        return current;
      }
      // Nothing here waits for the API server: the prior status comes from the reader (an informer
      // cache) and the job it replaces; that job's last status write is ordered before the new job's.
      const { prior, previousStopped } = this.takeOver(input.node);
      return prior.then((view) => {
        const job = new HostDownJob(this.services, input, view, previousStopped);
        this.jobs.set(input.node, job);
        return job;
      });
    });
    // No job, no force-down: an announced one must not hold the resets of the others.
    started.catch(() => this.services.burst.forceDownSettled(input.node));
    return started.then((job) => job.result);
  }

  /** Undoes the remediation of a fault whose host is healthy again. Idempotent. */
  async hostRecovered(input: HostRecoveredInput): Promise<HostRecoveredResult> {
    checkCommon(input);
    requireText(input.faultId, 'faultId');
    requireTime(input.at, 'at');
    return this.serially(input.node, async () => {
      const current = this.jobs.get(input.node);
      if (current instanceof HostUpJob && current.faultId === input.faultId) return current;
      const prior = await this.replace(input.node);
      const job = new HostUpJob(this.services, input, prior);
      this.jobs.set(input.node, job);
      return job;
    }).then((job) => job.result);
  }

  /** The operator lets go of the host: stops its job, then undoes what is left of its remediation
   * (see host-release.ts). Throws when a call fails; the caller retries. */
  async releaseHost(input: HostReleaseInput): Promise<string> {
    checkCommon(input);
    return this.serially(input.node, async () =>
      releaseHost(this.services, input, await this.replace(input.node)),
    );
  }

  /** Resolves when the node's current job has nothing left to do or retry. */
  async settled(node: string): Promise<void> {
    await this.starting.get(node)?.catch(() => undefined);
    await this.jobs.get(node)?.settled;
  }

  /**
   * Gets the policy's Nova work ready ahead of a fault: token, microversion, and for `novaHosts` the
   * service ids and server lists. Call on policy sync and periodically.
   */
  warmUp(policy: FaultPolicy, novaHosts: readonly string[] = []): Promise<RefreshOutcome> {
    return this.services.nova.warmUp(policy, novaHosts);
  }

  /** The policy was deleted: close its Nova client. */
  forgetPolicy(name: string): void {
    this.services.nova.forget(name);
  }

  /**
   * Leadership lost or shutdown: cancels every retry timer, waits (bounded) for deliveries in flight so
   * their outcome is recorded, writes the last status, closes Nova clients. Later calls reject.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.services.burst.release();
    await Promise.allSettled([...this.starting.values()]);
    await Promise.all([...this.jobs.values()].map((job) => job.stop()));
    this.jobs.clear();
    this.services.nova.closeAll();
  }

  /**
   * Stops the node's job without waiting for it: its view is taken at once, and `previousStopped`
   * settles once its last status write is done (the next job writes after it).
   */
  private takeOver(node: string): {
    prior: Promise<RemediationView | undefined>;
    previousStopped: Promise<void> | undefined;
  } {
    const current = this.jobs.get(node);
    this.jobs.delete(node);
    void current?.stop();
    const previousStopped = current?.lastWrite;
    const known = current?.view();
    const prior = this.readStatus(node).then((stored) =>
      // A reader backed by an informer may lag behind the job's own last writes.
      known !== undefined ? { ...stored, ...known } : stored,
    );
    return { prior, previousStopped };
  }

  /** Stops the node's job and returns its status: the newer of what it knew and what the reader says. */
  private async replace(node: string): Promise<RemediationView | undefined> {
    const current = this.jobs.get(node);
    this.jobs.delete(node);
    if (current !== undefined) await current.stop();
    const stored = await this.readStatus(node);
    // A reader backed by an informer may lag behind the job's own last writes.
    return current !== undefined ? { ...stored, ...current.view() } : stored;
  }

  /** A few quick tries: without the status, a restarted operator cannot know what it already did. */
  private async readStatus(node: string): Promise<RemediationView | undefined> {
    const tries = 4;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.services.reader.readStatus(node);
      } catch (err) {
        if (attempt >= tries)
          throw new Error(`cannot read the status of HostHealth ${node}: ${errorText(err)}`, {
            cause: err,
          });
        await new Promise((resolve) =>
          setTimeout(resolve, nextRetryDelay(attempt, { baseMs: 200, capMs: 2_000 })),
        );
      }
    }
  }

  private serially<T>(node: string, start: () => Promise<T>): Promise<T> {
    if (this.stopped) return Promise.reject(new Error('the remediation executor is stopped'));
    const previous = this.starting.get(node) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(() => {
        if (this.stopped) throw new Error('the remediation executor is stopped');
        return start();
      });
    // Only the start is serialised, not the first pass: a recovery may cancel a running down job.
    const started = next.then(
      () => undefined,
      () => undefined,
    );
    this.starting.set(node, started);
    void started.then(() => {
      if (this.starting.get(node) === started) this.starting.delete(node);
    });
    return next;
  }
}

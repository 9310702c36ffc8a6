// What one remediation job (a host going down, or coming back) shares: the services it calls, its step
// records, the status batcher, Events, and timers that stop() cancels. Each step runs with bounded
// retries: a failure is recorded (status, RemediationFailed Event) and tried again later with backoff.
import { eventReasons } from '../api/event-reasons.js';
import { groupVersion } from '../api/types.js';
import type { EventTarget, EventType } from '../runtime/event-recorder.js';
import type { Logger } from '../observability/logger.js';
import { nextRetryDelay } from '../notify/index.js';
import type { Limiter } from '../util/concurrency.js';
import { OpenStackHttpError } from '../openstack/index.js';
import type { DeliverFn } from './notification-queue.js';
import type { NovaClientCache } from './nova-clients.js';
import type { RemediationOptions } from './options.js';
import type { RemediationMetrics } from './metrics.js';
import type { BurstOrder } from './burst-order.js';
import type {
  EventSink,
  HostHealthStatusReader,
  HostHealthStatusWriter,
  NodeTainter,
  SecretReader,
} from './ports.js';
import { StatusBatcher, type Urgency } from './status-batcher.js';
import {
  isoTime,
  stepPatch,
  type NotificationEntry,
  type RemediationStatus,
  type StepName,
  type StepState,
  type StepStatus,
} from './status.js';
import { errorText as plainErrorText } from '../util/error-text.js';

export interface Services {
  writer: HostHealthStatusWriter;
  reader: HostHealthStatusReader;
  secrets: SecretReader;
  tainter: NodeTainter;
  events: EventSink;
  log: Logger;
  nova: NovaClientCache;
  /** Bounds the resets in flight over every job at once. */
  resetLimiter: Limiter;
  /** Force-downs before resets, Kubernetes writes after the Nova work (faults arriving together). */
  burst: BurstOrder;
  deliver: DeliverFn;
  now: () => number;
  options: RemediationOptions;
  metrics: RemediationMetrics;
}

/** A failure that trying again cannot fix (Nova refused the request itself). */
export class PermanentStepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentStepError';
  }
}

function isRetryableStepError(err: unknown): boolean {
  if (err instanceof PermanentStepError) return false;
  // A 4xx says the request is wrong; repeating it blindly cannot help. Everything else (5xx, connection,
  // a missing Secret, a clouds.yaml being fixed) may clear up.
  if (err instanceof OpenStackHttpError) return err.retryable;
  return true;
}

export function errorText(err: unknown): string {
  return plainErrorText(err).slice(0, 900);
}

const stepLabels: Record<StepName, string> = {
  forceDown: 'forcing the Nova service down',
  resetServers: 'resetting servers to error',
  taint: 'tainting the Node',
  notify: 'notifying consumers',
  unforce: 'clearing the forced-down Nova service',
  untaint: 'removing the Node taint',
  notifyUp: 'notifying consumers of the recovery',
};

export interface StepRun {
  /** Settles after the first attempt, whatever its outcome. */
  first: Promise<void>;
  /** Settles when the step is Done, Failed, or the job stopped (then "Running"). */
  final: Promise<StepState>;
}

export interface JobIdentity {
  node: string;
  faultId: string;
}

export class JobContext {
  readonly batcher: StatusBatcher;
  readonly hostHealthTarget: EventTarget;
  readonly nodeTarget: EventTarget;
  private readonly timers = new Set<NodeJS.Timeout>();
  private stoppedFlag = false;
  private readonly onStop: (() => void)[] = [];

  constructor(
    readonly services: Services,
    readonly id: JobIdentity,
    readonly steps: RemediationStatus,
    notifications: () => NotificationEntry[],
    /** The replaced job's stop: this job's status writes wait for its last one. */
    previousStopped?: Promise<void>,
  ) {
    this.batcher = new StatusBatcher(
      id.node,
      services.writer,
      notifications,
      services.options.status,
      services.log,
      previousStopped,
      () => services.burst.kubeTurn(),
    );
    this.hostHealthTarget = { apiVersion: groupVersion, kind: 'HostHealth', name: id.node };
    this.nodeTarget = { apiVersion: 'v1', kind: 'Node', name: id.node };
  }

  get stopped(): boolean {
    return this.stoppedFlag;
  }

  get log(): Logger {
    return this.services.log;
  }

  now(): number {
    return this.services.now();
  }

  /** Resolves when stop() is called: lets waits end early. */
  readonly whenStopped: Promise<void> = new Promise((resolve) => this.onStop.push(resolve));

  setStep(name: StepName, status: StepStatus, urgency: Urgency = 'urgent'): void {
    const record: StepStatus = { ...status, time: status.time ?? isoTime(this.now()) };
    this.steps[name] = record;
    this.batcher.update({ remediation: { faultId: this.id.faultId, [name]: stepPatch(record) } }, urgency);
  }

  event(on: 'hostHealth' | 'node' | 'both', type: EventType, reason: string, message: string): void {
    const targets =
      on === 'both'
        ? [this.hostHealthTarget, this.nodeTarget]
        : [on === 'node' ? this.nodeTarget : this.hostHealthTarget];
    for (const target of targets) {
      // The sink never throws by contract; the catch keeps a faulty one from becoming an unhandled rejection.
      this.services.events.record(target, type, reason, message).catch(() => undefined);
    }
  }

  /** Runs a timer unless stopped; stop() cancels it. */
  later(ms: number, fn: () => void): void {
    if (this.stoppedFlag) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stoppedFlag) fn();
    }, ms);
    this.timers.add(timer);
  }

  /**
   * Runs `attempt` until it returns (Done, with its message) or throws a permanent error or runs out of
   * tries (Failed). A step that was tried before (by an earlier operator) keeps counting its attempts.
   */
  runStep(
    name: StepName,
    attempt: (tryNumber: number) => Promise<string>,
    options: { recordDone?: boolean } = {},
  ): StepRun {
    let resolveFirst!: () => void;
    let resolveFinal!: (state: StepState) => void;
    const first = new Promise<void>((resolve) => (resolveFirst = resolve));
    const final = new Promise<StepState>((resolve) => (resolveFinal = resolve));
    this.onStop.push(() => {
      resolveFirst();
      resolveFinal('Running');
    });
    const earlier = this.steps[name]?.attempts ?? 0;
    const { maxAttempts, baseMs, capMs } = this.services.options.stepRetry;
    const go = async (tryNumber: number): Promise<void> => {
      if (this.stoppedFlag) return;
      const attempts = earlier + tryNumber;
      try {
        const message = await attempt(tryNumber);
        if (this.stoppedFlag) return;
        // recordDone false: the step's success is decided elsewhere (notify: when all are delivered).
        if (options.recordDone !== false) this.setStep(name, { state: 'Done', attempts, message });
        this.log.info(`${stepLabels[name]}: done`, {
          node: this.id.node,
          faultId: this.id.faultId,
          step: name,
          message,
        });
        resolveFirst();
        resolveFinal('Done');
      } catch (err) {
        if (this.stoppedFlag) return;
        const message = errorText(err);
        const final = !isRetryableStepError(err) || tryNumber >= maxAttempts;
        if (final) {
          this.setStep(name, { state: 'Failed', attempts, message });
          this.event(
            'hostHealth',
            'Warning',
            eventReasons.remediationFailed,
            `${stepLabels[name]} failed, giving up after ${attempts} attempts: ${message}`,
          );
          this.log.error(`${stepLabels[name]}: failed, giving up`, {
            node: this.id.node,
            faultId: this.id.faultId,
            step: name,
            attempts,
            error: message,
          });
          resolveFirst();
          resolveFinal('Failed');
          return;
        }
        const delay = nextRetryDelay(tryNumber, { baseMs, capMs });
        this.setStep(name, {
          state: 'Running',
          attempts,
          message: `${message} (retrying in ${(delay / 1000).toFixed(1)} s)`,
        });
        this.event(
          'hostHealth',
          'Warning',
          eventReasons.remediationFailed,
          `${stepLabels[name]} failed (attempt ${attempts}), retrying: ${message}`,
        );
        this.log.warn(`${stepLabels[name]}: failed, retrying`, {
          node: this.id.node,
          faultId: this.id.faultId,
          step: name,
          attempts,
          delayMs: delay,
          error: message,
        });
        resolveFirst();
        this.later(delay, () => void go(tryNumber + 1));
      }
    };
    void go(1);
    return { first, final };
  }

  /** Set by shutdown(): settles once the last status write is done. */
  lastWrite: Promise<void> | undefined;

  /**
   * Stops the job, waits (bounded) for deliveries in flight so their outcome is kept, then writes the
   * last status. Resolves within about twice stopTimeoutMs; `lastWrite` waits for the write itself, so
   * a job that replaces this one writes after it.
   */
  async shutdown(stopQueue: () => Promise<void>): Promise<void> {
    this.stop();
    const deadline = this.services.options.stopTimeoutMs;
    this.lastWrite ??= withTimeout(stopQueue(), deadline).then(async () => {
      await this.batcher.flush();
    });
    await withTimeout(this.lastWrite, deadline * 2);
    this.batcher.close();
  }

  /** Cancels timers; later results of calls in flight are ignored. */
  stop(): void {
    if (this.stoppedFlag) return;
    this.stoppedFlag = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const fn of this.onStop.splice(0)) fn();
  }
}

export async function withTimeout(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
}

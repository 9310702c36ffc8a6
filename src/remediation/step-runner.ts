// Runs the steps a remediation job declares (a host going down, or coming back): writes which steps the
// policy asks for (Running) and which it does not (Skipped), starts the ones still to do with bounded
// retries, and owns the job's notification queue, its first pass, its end and its stop. A job is its
// declarations plus their bodies.
import { JobContext, type Services, type StepRun } from './job-context.js';
import { NotificationQueue } from './notification-queue.js';
import {
  isoTime,
  stepPatch,
  type RemediationStatus,
  type RemediationStatusPatch,
  type StepName,
  type StepStatus,
  type TimelinePoint,
} from './status.js';
import { agentsFor, HmacKeys } from './targets.js';

/** One step of a job, as the job declares it. */
export interface StepDeclaration {
  name: StepName;
  /** The timeline point the step sets when it succeeds: once set, the step is not run again. */
  point?: TimelinePoint;
  /** Whether the step runs now (the policy asks for it and nothing makes it moot). */
  applies: boolean;
  /** One attempt; returns the message recorded when the step is Done. */
  run: (tryNumber: number) => Promise<string>;
  /** False when the step's success is decided elsewhere (notify: when every notification is delivered). */
  recordDone?: boolean;
}

export interface StepRunnerOptions {
  node: string;
  faultId: string;
  steps: RemediationStatus;
  /** The replaced job's stop: this job's status writes wait for its last one. */
  previousStopped?: Promise<void>;
  /** After each delivery. */
  delivered: () => void;
  /** When the notifications may all be settled (a delivery given up). */
  checkNotified: () => void;
  /** Whether the job has reached a timeline point (a step that set it needs no new run). */
  reached?: (point: TimelinePoint) => boolean;
}

export interface StepFailure {
  step: string;
  message: string;
}

export class StepRunner {
  readonly ctx: JobContext;
  readonly queue: NotificationQueue;
  private readonly reached: (point: TimelinePoint) => boolean;

  constructor(services: Services, options: StepRunnerOptions) {
    this.reached = options.reached ?? (() => false);
    this.ctx = new JobContext(
      services,
      { node: options.node, faultId: options.faultId },
      options.steps,
      () => this.queue.entries(),
      options.previousStopped,
    );
    const hmac = new HmacKeys(services.secrets);
    this.queue = new NotificationQueue(
      {
        deliver: services.deliver,
        keyFor: (t) => hmac.keyFor(t),
        agentsFor: (t) => agentsFor(t, services.secrets),
        now: services.now,
        log: services.log,
      },
      {
        concurrencyPerConsumer: services.options.deliveryConcurrency,
        maxAgeMs: services.options.notificationMaxAgeMs,
        retry: services.options.notificationRetry,
      },
      {
        delivered: (entry) => {
          services.metrics.notifications.inc({ consumer: entry.consumer, outcome: 'delivered' });
          options.delivered();
        },
        failed: (entry) => {
          services.metrics.notifications.inc({ consumer: entry.consumer, outcome: 'retried' });
          this.ctx.batcher.notificationsChanged('lazy');
        },
        abandoned: (entry) => {
          services.metrics.notifications.inc({ consumer: entry.consumer, outcome: 'abandoned' });
          this.ctx.batcher.notificationsChanged('urgent');
          options.checkNotified();
        },
      },
    );
  }

  /** Whether status shows the step finished (Done, or its timeline point set). */
  done(name: StepName, point?: TimelinePoint): boolean {
    return this.ctx.steps[name]?.state === 'Done' || (point !== undefined && this.reached(point));
  }

  /**
   * Records each step the job will run as Running and each other one as Skipped; finished steps stay as
   * they are, and so do Skipped ones still not planned when `keepSkipped`. Returns the status patch.
   */
  plan(
    plan: Partial<Record<StepName, boolean>>,
    keepSkipped: boolean,
  ): { remediation: NonNullable<RemediationStatusPatch['remediation']>; changed: boolean } {
    const remediation: NonNullable<RemediationStatusPatch['remediation']> = { faultId: this.ctx.id.faultId };
    let changed = false;
    for (const [step, planned] of Object.entries(plan) as [StepName, boolean][]) {
      const current = this.ctx.steps[step];
      if (current?.state === 'Done' || (keepSkipped && current?.state === 'Skipped' && !planned)) continue;
      const record: StepStatus = planned
        ? { state: 'Running', attempts: current?.attempts ?? 0, time: isoTime(this.ctx.now()) }
        : { state: 'Skipped', time: isoTime(this.ctx.now()) };
      this.ctx.steps[step] = record;
      remediation[step] = stepPatch(record);
      changed = true;
    }
    return { remediation, changed };
  }

  /** Starts the declared steps that apply and are not finished, in their order. */
  start(steps: StepDeclaration[]): (StepRun & { name: StepName })[] {
    return steps
      .filter((step) => step.applies && !this.done(step.name, step.point))
      .map((step) => ({
        name: step.name,
        ...this.ctx.runStep(
          step.name,
          step.run,
          step.recordDone !== undefined ? { recordDone: step.recordDone } : {},
        ),
      }));
  }

  /** Settles after every step's first attempt and every notification's first delivery attempt. */
  async firstPass<R>(runs: StepRun[], summary: () => R): Promise<R> {
    await Promise.all(runs.map((run) => run.first));
    await Promise.race([this.queue.firstAttempts(), this.ctx.whenStopped]);
    // The caller may read the object next: let it show what this pass did.
    if (!this.ctx.stopped) await this.ctx.batcher.flush();
    return summary();
  }

  /**
   * Settles when nothing is left to do or retry (or the job stopped). `wrapUp` runs once the steps and
   * deliveries are over and returns false when the job stopped meanwhile.
   */
  async finish(
    runs: StepRun[],
    wrapUp: () => Promise<boolean>,
    logMessage: string,
    summary: () => object,
  ): Promise<void> {
    await Promise.all(runs.map((run) => run.final));
    await Promise.race([this.queue.idle(), this.ctx.whenStopped]);
    if (this.ctx.stopped) return;
    if (!(await wrapUp())) return;
    await this.ctx.batcher.flush();
    this.ctx.log.info(logMessage, { node: this.ctx.id.node, ...summary() });
  }

  /** Steps whose last attempt failed, with the error. A Running step carries a message only after a failure. */
  failures(steps: readonly StepName[]): StepFailure[] {
    return steps
      .map((step) => ({ step, status: this.ctx.steps[step] }))
      .filter(
        ({ status }) =>
          status?.state === 'Failed' || (status?.state === 'Running' && status.message !== undefined),
      )
      .map(({ step, status }) => ({ step, message: status?.message ?? '' }));
  }

  /** Cancels retries, waits (bounded) for deliveries in flight, then writes what is known. */
  stop(): Promise<void> {
    return this.ctx.shutdown(() => this.queue.stop());
  }

  /** Settles once the last status write after stop() is done (however long the API server takes). */
  get lastWrite(): Promise<void> | undefined {
    return this.ctx.lastWrite;
  }
}

/** A job made of declared steps: the runner, its context and its queue, and stop. */
export abstract class StepJob {
  protected readonly runner: StepRunner;
  protected readonly ctx: JobContext;
  protected readonly queue: NotificationQueue;

  constructor(
    protected readonly services: Services,
    options: Omit<StepRunnerOptions, 'delivered' | 'checkNotified' | 'reached'>,
  ) {
    this.runner = new StepRunner(services, {
      ...options,
      delivered: () => this.onDelivered(),
      checkNotified: () => this.checkNotified(),
      reached: (point) => this.reached(point),
    });
    this.ctx = this.runner.ctx;
    this.queue = this.runner.queue;
  }

  /** Cancels retries, waits (bounded) for deliveries in flight, then writes what is known. */
  stop(): Promise<void> {
    return this.runner.stop();
  }

  /** Settles once the last status write after stop() is done (however long the API server takes). */
  get lastWrite(): Promise<void> | undefined {
    return this.runner.lastWrite;
  }

  /** After each delivery. */
  protected abstract onDelivered(): void;

  /** Settles the notify step once every notification is delivered or given up. */
  protected abstract checkNotified(): void;

  /** Whether the job has reached a timeline point; a job without a timeline never has. */
  protected reached(_point: TimelinePoint): boolean {
    return false;
  }
}

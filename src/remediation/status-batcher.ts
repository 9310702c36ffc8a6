// Coalesces remediation progress into few HostHealth status writes: one write in flight at a time, the
// changes made meanwhile go in the next one. Step results are "urgent" (written at most every
// minIntervalMs) so a restarted operator sees them; retry bookkeeping (attempts, last errors) is "lazy"
// and waits up to lazyMs, so a consumer that stays down for an hour does not mean a write per retry.
// A failed write is retried with backoff until it succeeds or the batcher is closed: progress that never
// reaches status would be redone (or forgotten) by the next leader.
import type { Logger } from '../observability/logger.js';
import { nextRetryDelay } from '../notify/index.js';
import type { HostHealthStatusWriter } from './ports.js';
import type { NotificationEntry, RemediationStatusPatch } from './status.js';
import { errorText } from '../util/error-text.js';

export type Urgency = 'urgent' | 'lazy';

export interface StatusBatcherOptions {
  minIntervalMs: number;
  lazyMs: number;
  retryBaseMs: number;
  retryCapMs: number;
}

/** Merges `later` over `earlier`: nested timeline and remediation fields merge, everything else replaces. */
export function mergePatches(
  earlier: RemediationStatusPatch,
  later: RemediationStatusPatch,
): RemediationStatusPatch {
  const merged: RemediationStatusPatch = { ...earlier, ...later };
  if (earlier.timeline !== undefined && later.timeline !== undefined)
    merged.timeline = { ...earlier.timeline, ...later.timeline };
  if (earlier.remediation !== undefined && later.remediation !== undefined)
    merged.remediation = { ...earlier.remediation, ...later.remediation };
  return merged;
}

export class StatusBatcher {
  private pending: RemediationStatusPatch = {};
  private notificationsDirty = false;
  private urgent = false;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Infinity;
  private inFlight: Promise<void> | undefined;
  private lastWriteStart = -Infinity;
  private failures = 0;
  private closed = false;
  /** Writes done, for tests and logs. */
  writes = 0;

  /** Set while an earlier job's last write is still to come: nothing is written before it. */
  private waitFor: Promise<void> | undefined;

  constructor(
    private readonly name: string,
    private readonly writer: HostHealthStatusWriter,
    private readonly notifications: () => NotificationEntry[],
    private readonly options: StatusBatcherOptions,
    private readonly log: Logger,
    after?: Promise<unknown>,
    /** Before each write: undefined to write now, or a promise to wait for (Nova work going on). */
    private readonly turn: () => Promise<void> | undefined = () => undefined,
  ) {
    if (after !== undefined) {
      const gate = after.then(
        () => undefined,
        () => undefined,
      );
      this.waitFor = gate;
      void gate.then(() => {
        this.waitFor = undefined;
        if (this.dirty) this.schedule(this.urgent ? 'urgent' : 'lazy');
      });
    }
  }

  update(patch: RemediationStatusPatch, urgency: Urgency): void {
    if (this.closed) return;
    this.pending = mergePatches(this.pending, patch);
    this.schedule(urgency);
  }

  /** The notification list changed; it is written whole (the CRD list is atomic). */
  notificationsChanged(urgency: Urgency): void {
    if (this.closed) return;
    this.notificationsDirty = true;
    this.schedule(urgency);
  }

  get dirty(): boolean {
    return this.notificationsDirty || Object.keys(this.pending).length > 0;
  }

  /** Writes everything pending now and waits for it; true when nothing is left unwritten. */
  async flush(): Promise<boolean> {
    if (this.waitFor !== undefined) await this.waitFor;
    for (let round = 0; round < 3; round++) {
      if (this.inFlight !== undefined) await this.inFlight;
      if (!this.dirty) return true;
      this.clearTimer();
      await this.write();
    }
    return !this.dirty;
  }

  /** Stops scheduling writes (leadership lost); flush() still writes on request. */
  close(): void {
    this.closed = true;
    this.clearTimer();
  }

  private schedule(urgency: Urgency): void {
    if (urgency === 'urgent') this.urgent = true;
    // Rescheduled when the write in flight, or the earlier job's last one, completes.
    if (this.inFlight !== undefined || this.waitFor !== undefined) return;
    const now = Date.now();
    const due = this.urgent
      ? Math.max(now, this.lastWriteStart + this.options.minIntervalMs)
      : now + this.options.lazyMs;
    this.arm(due, now);
  }

  private arm(due: number, now: number): void {
    if (this.closed || due >= this.timerDue) return;
    this.clearTimer();
    this.timerDue = due;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerDue = Infinity;
        void this.write();
      },
      Math.max(0, due - now),
    );
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Infinity;
  }

  private write(): Promise<void> {
    if (this.inFlight !== undefined) return this.inFlight;
    if (!this.dirty) return Promise.resolve();
    // While Nova work is going on, the write waits (bounded) and then carries all that changed meanwhile.
    const turn = this.turn();
    const attempt = turn === undefined ? this.send() : turn.then(() => this.send());
    this.inFlight = attempt.finally(() => {
      this.inFlight = undefined;
      if (!this.dirty || this.closed) return;
      if (this.failures > 0) {
        const delay = nextRetryDelay(this.failures, {
          baseMs: this.options.retryBaseMs,
          capMs: this.options.retryCapMs,
        });
        this.arm(Date.now() + delay, Date.now());
        return;
      }
      this.schedule(this.urgent ? 'urgent' : 'lazy');
    });
    return this.inFlight;
  }

  /** One write of everything pending; a failure puts it back for the next. */
  private send(): Promise<void> {
    if (!this.dirty) return Promise.resolve();
    const patch: RemediationStatusPatch = { ...this.pending };
    if (this.notificationsDirty) patch.notifications = this.notifications().map((entry) => ({ ...entry }));
    this.pending = {};
    this.notificationsDirty = false;
    this.urgent = false;
    this.lastWriteStart = Date.now();
    return this.writer.patchStatus(this.name, patch).then(
      () => {
        this.failures = 0;
        this.writes++;
      },
      (err: unknown) => {
        // Put the patch back under anything newer, and try again later.
        this.pending = mergePatches(patch, this.pending);
        if (patch.notifications !== undefined) {
          delete this.pending.notifications;
          this.notificationsDirty = true;
        }
        this.failures++;
        this.log.warn('could not write HostHealth status', {
          hostHealth: this.name,
          attempt: this.failures,
          error: errorText(err),
        });
      },
    );
  }
}

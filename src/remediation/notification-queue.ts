// Delivers one fault's notifications: a bounded number in flight per consumer, failures retried in the
// background with nextRetryDelay backoff until delivered or too old. Every entry is also the status
// record of that notification (delivered, attempts, lastError), so the owner writes them to HostHealth.
import type { NotifyTarget } from '../api/types.js';
import type { Logger } from '../observability/logger.js';
import {
  deliver as realDeliver,
  type DeliveryResult,
  type DeliveryTarget,
  type PreparedNotification,
  nextRetryDelay,
  type RetryDelayOptions,
} from '../notify/index.js';
import type { NotificationEntry } from './status.js';
import { isoTime } from './status.js';
import { errorText } from '../util/error-text.js';
import type { HttpAgents } from '../util/http-client.js';

export type DeliverFn = (
  target: DeliveryTarget,
  notification: PreparedNotification,
  options: { timeoutMs: number },
) => Promise<DeliveryResult>;

export const defaultDeliver: DeliverFn = realDeliver;

export interface NotificationQueueOptions {
  concurrencyPerConsumer: number;
  /** Give up on a notification this long after its fault (or recovery) was declared. */
  maxAgeMs: number;
  retry: RetryDelayOptions;
}

export interface NotificationQueueHooks {
  delivered(entry: NotificationEntry): void;
  failed(entry: NotificationEntry): void;
  abandoned(entry: NotificationEntry): void;
}

interface Item {
  entry: NotificationEntry;
  /** Absent for entries kept only for the record (delivered or given up). */
  prepared?: PreparedNotification;
  target?: NotifyTarget;
  /** Epoch ms the max age counts from. */
  since: number;
  retryTimer?: NodeJS.Timeout;
  firstAttemptDone: boolean;
}

export class NotificationQueue {
  private readonly items = new Map<string, Item>();
  private readonly ready = new Map<string, Item[]>();
  private readonly running = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private awaitingFirst = 0;
  private waiters: { done: () => boolean; resolve: () => void }[] = [];
  private stopped = false;

  constructor(
    private readonly deps: {
      deliver: DeliverFn;
      keyFor: (target: NotifyTarget) => Promise<Buffer | undefined>;
      /** The target's own connection pool (its caBundle); undefined for the shared one. */
      agentsFor?: (target: NotifyTarget) => Promise<HttpAgents | undefined>;
      now: () => number;
      log: Logger;
    },
    private readonly options: NotificationQueueOptions,
    private readonly hooks: NotificationQueueHooks,
  ) {}

  /**
   * Keeps `entry` in the list; sends it unless it was delivered or given up already. `prepared` may be
   * omitted for entries that will never be sent again.
   */
  add(
    entry: NotificationEntry,
    target: NotifyTarget | undefined,
    prepared: PreparedNotification | undefined,
    since: number,
  ): void {
    const key = itemKey(entry);
    if (this.items.has(key)) return;
    const settled = entry.delivered || entry.abandoned === true;
    if (settled || target === undefined || prepared === undefined) {
      this.items.set(key, { entry, since, firstAttemptDone: true });
      return;
    }
    const item: Item = { entry, prepared, target, since, firstAttemptDone: false };
    this.items.set(key, item);
    this.awaitingFirst++;
    this.enqueue(item);
  }

  has(consumer: string, id: string): boolean {
    return this.items.has(`${consumer}\u0000${id}`);
  }

  /** Every entry, in the order added: the status list. */
  entries(): NotificationEntry[] {
    return [...this.items.values()].map((item) => item.entry);
  }

  get pending(): number {
    let n = 0;
    for (const { entry } of this.items.values()) if (!entry.delivered && entry.abandoned !== true) n++;
    return n;
  }

  /** Resolves once every entry added so far has been tried at least once (or the queue stopped). */
  firstAttempts(): Promise<void> {
    return this.waitFor(() => this.awaitingFirst === 0);
  }

  /** Resolves once nothing is pending (or the queue stopped). */
  idle(): Promise<void> {
    return this.waitFor(() => this.pending === 0);
  }

  /** Gives up every undelivered notification, e.g. because the host recovered before they got through. */
  abandonPending(reason: string, kind?: NotificationEntry['kind']): NotificationEntry[] {
    const given: NotificationEntry[] = [];
    for (const item of this.items.values()) {
      const { entry } = item;
      if (entry.delivered || entry.abandoned === true || (kind !== undefined && entry.kind !== kind))
        continue;
      if (item.retryTimer !== undefined) clearTimeout(item.retryTimer);
      item.retryTimer = undefined;
      entry.abandoned = true;
      entry.lastError = reason;
      given.push(entry);
      this.markFirstDone(item);
    }
    // Items already queued are skipped when their turn comes (pump checks abandoned).
    this.notify();
    return given;
  }

  /** Cancels retry timers and waits for deliveries in flight, so their outcome is known and kept. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const item of this.items.values()) {
      if (item.retryTimer !== undefined) clearTimeout(item.retryTimer);
      item.retryTimer = undefined;
    }
    for (const list of this.ready.values()) list.length = 0;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    this.notify(true);
  }

  private waitFor(done: () => boolean): Promise<void> {
    if (this.stopped || done()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ done, resolve }));
  }

  private notify(all = false): void {
    const still: typeof this.waiters = [];
    for (const waiter of this.waiters) {
      if (all || waiter.done()) waiter.resolve();
      else still.push(waiter);
    }
    this.waiters = still;
  }

  private enqueue(item: Item): void {
    if (this.stopped) return;
    const consumer = item.entry.consumer;
    let list = this.ready.get(consumer);
    if (list === undefined) {
      list = [];
      this.ready.set(consumer, list);
    }
    list.push(item);
    this.pump(consumer);
  }

  private pump(consumer: string): void {
    const list = this.ready.get(consumer) ?? [];
    while (
      !this.stopped &&
      list.length > 0 &&
      (this.running.get(consumer) ?? 0) < this.options.concurrencyPerConsumer
    ) {
      const item = list.shift() as Item;
      if (item.entry.delivered || item.entry.abandoned === true) continue;
      this.running.set(consumer, (this.running.get(consumer) ?? 0) + 1);
      const attempt = this.attempt(item).finally(() => {
        this.inFlight.delete(attempt);
        this.running.set(consumer, (this.running.get(consumer) ?? 1) - 1);
        this.pump(consumer);
      });
      this.inFlight.add(attempt);
    }
  }

  private async attempt(item: Item): Promise<void> {
    const { entry, target, prepared } = item;
    if (target === undefined || prepared === undefined) return;
    let result: DeliveryResult;
    try {
      const hmacKey = await this.deps.keyFor(target);
      const agents = await this.deps.agentsFor?.(target);
      result = await this.deps.deliver(
        {
          url: target.url,
          ...(hmacKey !== undefined ? { hmacKey } : {}),
          ...(agents !== undefined ? { agents } : {}),
        },
        prepared,
        { timeoutMs: target.timeoutMilliseconds },
      );
    } catch (err) {
      result = {
        ok: false,
        error: errorText(err),
        retryable: true,
        durationMs: 0,
      };
    }
    if (entry.abandoned === true) return; // given up meanwhile (the host recovered)
    entry.attempts++;
    const now = this.deps.now();
    if (result.ok) {
      entry.delivered = true;
      entry.deliveredTime = isoTime(now);
      delete entry.lastError;
      this.markFirstDone(item);
      this.hooks.delivered(entry);
      this.notify();
      return;
    }
    entry.lastError = (result.error ?? 'delivery failed').slice(0, 1024);
    this.markFirstDone(item);
    if (now - item.since > this.options.maxAgeMs) {
      entry.abandoned = true;
      this.deps.log.warn('notification abandoned', {
        consumer: entry.consumer,
        id: entry.id,
        attempts: entry.attempts,
        error: entry.lastError,
      });
      this.hooks.abandoned(entry);
      this.notify();
      return;
    }
    this.hooks.failed(entry);
    this.notify();
    if (this.stopped) return;
    // Non-retryable answers (a 4xx: wrong URL, refused signature) are retried too, since an admin may fix
    // the consumer, but never faster than the backoff and never past the max age.
    const delay = nextRetryDelay(entry.attempts, this.options.retry);
    item.retryTimer = setTimeout(() => {
      item.retryTimer = undefined;
      this.enqueue(item);
    }, delay);
  }

  private markFirstDone(item: Item): void {
    if (item.firstAttemptDone) return;
    item.firstAttemptDone = true;
    this.awaitingFirst--;
  }
}

function itemKey(entry: NotificationEntry): string {
  return `${entry.consumer}\u0000${entry.id}`;
}

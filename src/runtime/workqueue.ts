// A work queue in the client-go style: a key waiting is queued once however often it is added; a key
// being processed is never handed to a second worker, and if it changes meanwhile it is queued again
// after; failures are retried with per-key exponential backoff. Reconcilers stay level-triggered: the
// queue carries names, never events.

import { exponentialDelay } from '../util/backoff.js';

export interface WorkQueueOptions {
  /** First retry delay; doubles per consecutive failure of the same key. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly waiting = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirtyWhileProcessing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(options: WorkQueueOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 50;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
  }

  add(key: string): void {
    if (this.shuttingDown) return;
    if (this.processing.has(key)) {
      this.dirtyWhileProcessing.add(key);
      return;
    }
    if (this.waiting.has(key)) return;
    this.waiting.add(key);
    const waiter = this.waiters.shift();
    if (waiter) {
      this.waiting.delete(key);
      this.processing.add(key);
      waiter(key);
    } else {
      this.queue.push(key);
    }
  }

  /** Adds the key after a delay; a second call for the same key keeps the earlier deadline. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown || this.timers.has(key)) return;
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.timers.set(key, timer);
  }

  /** Schedules a retry with this key's backoff; returns the delay chosen. */
  addRateLimited(key: string): number {
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    const delay = exponentialDelay(failures, this.baseDelayMs, this.maxDelayMs);
    this.addAfter(key, delay);
    return delay;
  }

  /** The key succeeded: its next failure starts again from the base delay. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Next key to process, waiting for one; undefined once the queue shuts down. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.waiting.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolveKey) => this.waiters.push(resolveKey));
  }

  /** Marks a key processed; if it was added meanwhile, it goes back in the queue. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirtyWhileProcessing.delete(key)) this.add(key);
  }

  get length(): number {
    return this.queue.length;
  }

  get inFlight(): number {
    return this.processing.size;
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }
}

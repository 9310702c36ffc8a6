// Runs a reconcile function over a work queue with a few workers: success forgets the key's failures,
// an error retries the key with backoff, a result may ask to look again after a delay.
import type { Logger } from '../observability/logger.js';
import type { OperatorMetrics } from '../observability/metrics.js';
import { describeApiError } from './api-errors.js';
import { WorkQueue } from './workqueue.js';

export interface ReconcileResult {
  requeueAfterMs?: number;
}

export type Reconcile = (key: string) => Promise<ReconcileResult | void>;

export class Controller {
  private queue = new WorkQueue();
  private workers: Promise<void>[] = [];
  private running = false;

  constructor(
    readonly name: string,
    private readonly reconcile: Reconcile,
    private readonly metrics: OperatorMetrics,
    private readonly log: Logger,
  ) {
    // Exported as zero from the start: a rate over errors that never happened is 0, not "no data".
    metrics.reconcileErrors.inc({ controller: name }, 0);
  }

  get queueLength(): number {
    return this.queue.length;
  }

  /** Keys waiting or being reconciled now. */
  get busy(): boolean {
    return this.queue.length > 0 || this.queue.inFlight > 0;
  }

  enqueue(key: string): void {
    this.queue.add(key);
    this.metrics.queueDepth.set({ controller: this.name }, this.queue.length);
  }

  /** Adds the key after a delay; further calls before it is due coalesce into that one reconcile. */
  enqueueAfter(key: string, delayMs: number): void {
    this.queue.addAfter(key, delayMs);
  }

  start(workers: number): void {
    if (this.running) return;
    this.running = true;
    // A stopped queue cannot be reused, and keys queued before a stop are stale anyway.
    this.queue = new WorkQueue();
    this.workers = Array.from({ length: workers }, () => this.work());
  }

  /** Lets in-flight reconciles finish; queued keys are dropped (the next leader relists). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.queue.shutDown();
    await Promise.all(this.workers);
    this.workers = [];
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      this.metrics.queueDepth.set({ controller: this.name }, this.queue.length);
      const end = this.metrics.reconcileDuration.startTimer({ controller: this.name });
      try {
        const result = await this.reconcile(key);
        this.queue.forget(key);
        if (result?.requeueAfterMs !== undefined) this.queue.addAfter(key, result.requeueAfterMs);
        this.metrics.reconciles.inc({
          controller: this.name,
          result: result?.requeueAfterMs ? 'requeue' : 'success',
        });
      } catch (err) {
        const delay = this.queue.addRateLimited(key);
        this.metrics.reconciles.inc({ controller: this.name, result: 'error' });
        this.metrics.reconcileErrors.inc({ controller: this.name });
        this.log.warn('reconcile failed; will retry', {
          controller: this.name,
          key,
          error: describeApiError(err),
          retryInMs: delay,
          failures: this.queue.failuresOf(key),
        });
      } finally {
        end();
        this.queue.done(key);
      }
    }
  }
}

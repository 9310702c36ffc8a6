// Writes HostHealth status patches one at a time per host, merging patches that arrive while a write is
// in flight into the next one. Order is kept (a later state never lands before an earlier one) and a
// burst of reports costs one write, not one per report. A failed write is retried until it lands: a
// status lost to an API server hiccup would be a host whose state nobody can see.
import type { Logger } from '../observability/logger.js';
import { exponentialDelay } from '../util/backoff.js';
import { describeApiError, httpStatusOf } from './api-errors.js';

type Json = Record<string, unknown>;

const isPlainObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** JSON merge patch composition: b applied after a, as the API server would apply them in turn. */
export function composeMergePatches(a: Json, b: Json): Json {
  const out: Json = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const previous = out[key];
    out[key] = isPlainObject(previous) && isPlainObject(value) ? composeMergePatches(previous, value) : value;
  }
  return out;
}

export type PatchStatus = (name: string, status: Json) => Promise<void>;

export interface StatusRetryOptions {
  baseMs: number;
  capMs: number;
}

interface PendingPatch {
  status: Json;
  waiters: { resolve: () => void; reject: (err: Error) => void }[];
}

/** Answers that another try cannot change: the HostHealth is gone, or the patch itself is refused. */
const permanentStatuses = new Set([400, 404, 422]);

export class CoalescingStatusWriter {
  private readonly pending = new Map<string, PendingPatch>();
  private readonly running = new Map<string, Promise<void>>();
  /** Bumped by abandon(): writes queued before it are dropped instead of retried. */
  private generation = 0;

  constructor(
    private readonly patch: PatchStatus,
    private readonly log: Logger,
    private readonly retry: StatusRetryOptions = { baseMs: 200, capMs: 15_000 },
    /** Sees each patch when it is queued, in call order (before coalescing), and may take parts out. */
    private readonly onQueue: (name: string, status: Json) => Json = (_name, status) => status,
  ) {}

  /** Queues a status patch for a host; resolves when the write carrying it succeeded. A failed write is
   * retried with backoff until it succeeds, carrying the patches queued meanwhile; it rejects only when
   * the API server refuses it for good (the HostHealth is gone) or abandon() is called. */
  write(name: string, patch: Json): Promise<void> {
    const status = this.onQueue(name, patch);
    const done = new Promise<void>((resolve, reject) => {
      const queued = this.pending.get(name);
      if (queued) {
        queued.status = composeMergePatches(queued.status, status);
        queued.waiters.push({ resolve, reject });
      } else {
        this.pending.set(name, { status, waiters: [{ resolve, reject }] });
      }
    });
    // drain() forgets itself in the same turn it finds the queue empty: a write awaited and followed at
    // once by another must start a new drain, not queue behind one that already ended.
    if (!this.running.has(name)) this.running.set(name, this.drain(name));
    return done;
  }

  /** Resolves when every queued write has succeeded or been given up. */
  async flush(): Promise<void> {
    await Promise.all(this.running.values());
  }

  /** Leadership lost: the next leader owns the status now, so writes still queued or retrying are
   * dropped (an old patch landing later could overwrite a newer state). */
  abandon(reason: string): void {
    this.generation++;
    const error = new Error(`status write abandoned: ${reason}`);
    for (const batch of this.pending.values()) for (const waiter of batch.waiters) waiter.reject(error);
    this.pending.clear();
  }

  private async drain(name: string): Promise<void> {
    for (;;) {
      let batch = this.pending.get(name);
      if (!batch) {
        this.running.delete(name);
        return;
      }
      this.pending.delete(name);
      const generation = this.generation;
      for (let attempt = 1; ; attempt++) {
        if (generation !== this.generation) {
          const error = new Error('status write abandoned: this replica stopped leading');
          for (const waiter of batch.waiters) waiter.reject(error);
          break;
        }
        try {
          await this.patch(name, batch.status);
          for (const waiter of batch.waiters) waiter.resolve();
          break;
        } catch (err) {
          const error = err instanceof Error ? err : new Error(String(err));
          const status = httpStatusOf(err);
          if (status !== undefined && permanentStatuses.has(status)) {
            this.log.error('HostHealth status write refused; dropping this patch', {
              host: name,
              error: describeApiError(err),
            });
            for (const waiter of batch.waiters) waiter.reject(error);
            break;
          }
          const delay = exponentialDelay(attempt, this.retry.baseMs, this.retry.capMs);
          // One line on the first failure and then every tenth: an outage must not flood the log.
          if (attempt === 1 || attempt % 10 === 0)
            this.log.warn('HostHealth status write failed; retrying', {
              host: name,
              attempt,
              retryInMs: delay,
              error: describeApiError(err),
            });
          await new Promise((r) => setTimeout(r, delay * (0.8 + Math.random() * 0.4)));
          // Patches queued during the wait ride along in the retry: one write, still in order.
          const later = this.pending.get(name);
          if (later) {
            this.pending.delete(name);
            batch = {
              status: composeMergePatches(batch.status, later.status),
              waiters: [...batch.waiters, ...later.waiters],
            };
          }
        }
      }
    }
  }
}

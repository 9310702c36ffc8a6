// Writes HostHealth status patches one at a time per host, merging patches that arrive while a write is
// in flight into the next one. Order is kept (a later state never lands before an earlier one) and a
// burst of reports costs one write, not one per report.
import type { Logger } from '../../observability/logger.js';

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

interface PendingPatch {
  status: Json;
  waiters: { resolve: () => void; reject: (err: Error) => void }[];
}

export class CoalescingStatusWriter {
  private readonly pending = new Map<string, PendingPatch>();
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly patch: PatchStatus,
    private readonly log: Logger,
    private readonly retryDelayMs = 500,
    private readonly maxAttempts = 5,
  ) {}

  /** Queues a status patch for a host; resolves when the write carrying it succeeded, rejects when that
   * write failed after its retries (callers that cannot act on a failure may ignore it: it is logged). */
  write(name: string, status: Json): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      const queued = this.pending.get(name);
      if (queued) {
        queued.status = composeMergePatches(queued.status, status);
        queued.waiters.push({ resolve, reject });
      } else {
        this.pending.set(name, { status, waiters: [{ resolve, reject }] });
      }
    });
    if (!this.running.has(name)) {
      const run = this.drain(name).finally(() => this.running.delete(name));
      this.running.set(name, run);
    }
    return done;
  }

  /** Resolves when every queued write has been attempted. */
  async flush(): Promise<void> {
    await Promise.all(this.running.values());
  }

  private async drain(name: string): Promise<void> {
    for (;;) {
      const batch = this.pending.get(name);
      if (!batch) return;
      this.pending.delete(name);
      for (let attempt = 1; ; attempt++) {
        try {
          await this.patch(name, batch.status);
          for (const waiter of batch.waiters) waiter.resolve();
          break;
        } catch (err) {
          if (attempt >= this.maxAttempts) {
            const error = err instanceof Error ? err : new Error(String(err));
            this.log.error('HostHealth status write failed; giving up on this patch', {
              host: name,
              error: error.message,
            });
            for (const waiter of batch.waiters) waiter.reject(error);
            break;
          }
          await new Promise((r) => setTimeout(r, this.retryDelayMs * attempt));
        }
      }
    }
  }
}

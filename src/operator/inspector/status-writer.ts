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

export class CoalescingStatusWriter {
  private readonly pending = new Map<string, Json>();
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly patch: PatchStatus,
    private readonly log: Logger,
    private readonly retryDelayMs = 500,
    private readonly maxAttempts = 5,
  ) {}

  /** Queues a status patch for a host; resolves when it (or a later merged one) is written. */
  write(name: string, status: Json): Promise<void> {
    const queued = this.pending.get(name);
    this.pending.set(name, queued ? composeMergePatches(queued, status) : status);
    let run = this.running.get(name);
    if (!run) {
      run = this.drain(name).finally(() => this.running.delete(name));
      this.running.set(name, run);
    }
    return run;
  }

  /** Resolves when every queued write has been attempted. */
  async flush(): Promise<void> {
    await Promise.all(this.running.values());
  }

  private async drain(name: string): Promise<void> {
    for (;;) {
      const status = this.pending.get(name);
      if (!status) return;
      this.pending.delete(name);
      for (let attempt = 1; ; attempt++) {
        try {
          await this.patch(name, status);
          break;
        } catch (err) {
          if (attempt >= this.maxAttempts) {
            this.log.error('HostHealth status write failed; giving up on this patch', {
              host: name,
              error: err instanceof Error ? err.message : String(err),
            });
            break;
          }
          await new Promise((r) => setTimeout(r, this.retryDelayMs * attempt));
        }
      }
    }
  }
}

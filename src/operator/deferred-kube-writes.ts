// Kubernetes writes made while handling a report start on the next turn of the event loop (setImmediate),
// not inside the handler: a decision's first Nova calls leave before the API client spends its CPU on
// building status patches and Events. Status patches made in one turn for one host go out as one patch
// (JSON merge patches compose), in the order of their first patch, so a later state still lands after an
// earlier one. stop() drops what is queued: a replica that stopped leading writes nothing more.
import { composeMergePatches, type CoalescingStatusWriter } from '../runtime/coalescing-status-writer.js';

type Json = Record<string, unknown>;

interface QueuedStatus {
  status: Json;
  waiters: { resolve: () => void; reject: (err: Error) => void }[];
}

export class DeferredKubeWrites {
  private statuses = new Map<string, QueuedStatus>();
  private others: (() => void)[] = [];
  private scheduled = false;

  constructor(private readonly writer: CoalescingStatusWriter) {}

  /** Queues a status patch; resolves when the write carrying it succeeded (see CoalescingStatusWriter). */
  status(host: string, status: Json): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const queued = this.statuses.get(host);
      if (queued === undefined) this.statuses.set(host, { status, waiters: [{ resolve, reject }] });
      else {
        queued.status = composeMergePatches(queued.status, status);
        queued.waiters.push({ resolve, reject });
      }
      this.schedule();
    });
  }

  /** Runs `write` (an Event, a policy status update) after this turn's status patches. */
  later(write: () => void): void {
    this.others.push(write);
    this.schedule();
  }

  /** Drops everything queued; waiting callers get an error. */
  stop(reason: string): void {
    const error = new Error(`status write abandoned: ${reason}`);
    for (const queued of this.statuses.values()) for (const waiter of queued.waiters) waiter.reject(error);
    this.statuses.clear();
    this.others = [];
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const statuses = this.statuses;
    const others = this.others;
    this.statuses = new Map();
    this.others = [];
    for (const [host, queued] of statuses) {
      this.writer.write(host, queued.status).then(
        () => queued.waiters.forEach((w) => w.resolve()),
        (err: unknown) => {
          const error = err instanceof Error ? err : new Error(String(err));
          queued.waiters.forEach((w) => w.reject(error));
        },
      );
    }
    for (const write of others) write();
  }
}

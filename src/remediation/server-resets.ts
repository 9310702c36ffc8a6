// Resets one host's servers to error as they become known: the cached list at once, then whatever the
// live listing adds, each server once. Bounded twice: per host (one fault's share) and globally (a rack
// failure runs many hosts at once). Outcomes are kept per server so a step retry redoes only failures.
import type { Limiter } from '../util/concurrency.js';
import { isRetryableError, OpenStackHttpError, type ServerSummary } from '../openstack/index.js';
import { errorText } from './job-context.js';

export interface ServerResetsDeps {
  reset(id: string): Promise<void>;
  perHost: Limiter;
  global: Limiter;
  stopped(): boolean;
  /** Nova accepted the reset. */
  onReset(server: ServerSummary): void;
  /** The reset failed (it may be retried); the server is still on a host that is down. */
  onFailed(server: ServerSummary): void;
}

export class ServerResets {
  /** Every server seen, by id: the cached list and the live one. */
  private readonly known = new Map<string, ServerSummary>();
  private readonly done = new Set<string>();
  private readonly gone = new Set<string>();
  private readonly refused = new Map<string, string>();
  private retryable: ServerSummary[] = [];
  firstError = '';

  constructor(private readonly deps: ServerResetsDeps) {}

  /** Starts the reset of every server not seen before; resolves when those resets have settled. */
  async add(servers: readonly ServerSummary[]): Promise<void> {
    const fresh = servers.filter((s) => !this.known.has(s.id));
    for (const server of fresh) this.known.set(server.id, server);
    await Promise.all(fresh.map((server) => this.resetOne(server)));
  }

  /** Resets again the servers whose last reset failed with an error that may clear. */
  async retry(): Promise<void> {
    const again = this.retryable;
    this.retryable = [];
    this.firstError = '';
    await Promise.all(again.map((server) => this.resetOne(server)));
  }

  /** Servers found on the host (the cached and the live list together). */
  get found(): number {
    return this.known.size;
  }

  get markedError(): number {
    return this.done.size;
  }

  get goneCount(): number {
    return this.gone.size;
  }

  get waitingRetry(): number {
    return this.retryable.length;
  }

  get refusals(): string[] {
    return [...this.refused].map(([id, message]) => `${id}: ${message}`);
  }

  private async resetOne(server: ServerSummary): Promise<void> {
    if (this.deps.stopped()) return;
    try {
      await this.deps.perHost.run(() => this.deps.global.run(() => this.deps.reset(server.id)));
      if (this.deps.stopped()) return;
      this.done.add(server.id);
      this.deps.onReset(server);
    } catch (err) {
      if (this.deps.stopped()) return;
      if (err instanceof OpenStackHttpError && err.status === 404) {
        this.gone.add(server.id); // deleted since it was listed: nothing to reset, nobody to tell
        return;
      }
      if (isRetryableError(err) || !(err instanceof OpenStackHttpError)) {
        this.retryable.push(server);
        this.firstError ||= errorText(err);
      } else this.refused.set(server.id, errorText(err));
      this.deps.onFailed(server);
    }
  }
}

// Delivers reports to the inspector: POST <inspectorUrl> with a JSON list of Doctor events and the
// monitor's projected service-account token as a bearer token. Runs beside probing and never blocks it:
// enqueue() only stores the event in the keyed outbox and wakes the loop. One request at a time (so an
// older state never overtakes a newer one), each with a timeout; failures retry with capped exponential
// backoff and jitter until delivered or superseded.
import type { HostEvent } from '../api/events.js';
import type { LevelLogger } from '../observability/json-lines-logger.js';
import { backoffDelay } from '../util/backoff.js';
import { JsonPoster } from './http-post.js';
import { Outbox, type OutboxEntry } from './outbox.js';
import { supersedeKey } from './report.js';

// A builtin comes from process.getBuiltinModule, not `import`, to keep the monitor small (http-post.ts says why).
// The token is read synchronously (settings-file.ts says why node:fs/promises is not used).
const { readFileSync } = process.getBuiltinModule('node:fs');

export interface SenderSettings {
  url: string;
  timeoutMs: number;
  maxBackoffMs: number;
}

export interface SenderOptions extends SenderSettings {
  tokenFile: string;
  logger: LevelLogger;
  baseBackoffMs?: number;
  capacity?: number;
  batchSize?: number;
  random?: () => number;
}

type Outcome = 'delivered' | 'rejected' | 'retry';

// The inspector will never accept these bodies, whatever we retry: drop them (and say so).
const permanentStatuses = new Set([400, 413, 422]);

export class ReportSender {
  private settings: SenderSettings;
  private readonly outbox: Outbox<HostEvent>;
  private current: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private stopped = false;
  private tokenMissingLogged = false;
  private readonly poster = new JsonPoster();
  delivered = 0;
  dropped = 0;

  constructor(private readonly options: SenderOptions) {
    this.settings = { url: options.url, timeoutMs: options.timeoutMs, maxBackoffMs: options.maxBackoffMs };
    this.outbox = new Outbox<HostEvent>(options.capacity ?? 1024, (key) => key.startsWith('heartbeat:'));
  }

  get pending(): number {
    return this.outbox.size;
  }

  update(settings: SenderSettings): void {
    this.settings = { ...settings };
  }

  enqueue(event: HostEvent): void {
    if (this.stopped) return;
    const { evicted } = this.outbox.put(supersedeKey(event), event);
    if (evicted) {
      this.dropped++;
      this.options.logger.warn('report outbox full: dropped the oldest undelivered report', {
        droppedType: evicted.value.type,
        droppedHost: evicted.value.details.hostname,
      });
    }
    this.kick();
  }

  private kick(): void {
    if (this.stopped || this.current || this.retryTimer || this.outbox.size === 0) return;
    this.current = this.deliverBatch().finally(() => {
      this.current = undefined;
      // Continue with whatever arrived meanwhile (a no-op while a retry is scheduled).
      this.kick();
    });
  }

  private async deliverBatch(): Promise<void> {
    const batch = this.outbox.batch(this.options.batchSize ?? 100);
    const outcome = await this.post(batch);
    if (outcome === 'retry') {
      this.attempt++;
      const delay = backoffDelay(
        this.attempt,
        this.options.baseBackoffMs ?? 50,
        this.settings.maxBackoffMs,
        this.options.random,
      );
      if (!this.stopped) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.kick();
        }, delay);
      }
      return;
    }
    this.attempt = 0;
    this.outbox.ack(batch);
    if (outcome === 'delivered') this.delivered += batch.length;
    else this.dropped += batch.length;
  }

  private token(): string | undefined {
    try {
      const token = readFileSync(this.options.tokenFile, 'utf8').trim();
      this.tokenMissingLogged = false;
      return token === '' ? undefined : token;
    } catch (err) {
      if (!this.tokenMissingLogged) {
        this.tokenMissingLogged = true;
        this.options.logger.warn('no service-account token: sending reports without Authorization', {
          tokenFile: this.options.tokenFile,
          error: (err as Error).message,
        });
      }
      return undefined;
    }
  }

  private async post(batch: OutboxEntry<HostEvent>[]): Promise<Outcome> {
    const { url, timeoutMs } = this.settings;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'doctor-monitor',
    };
    const token = this.token();
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const log = this.options.logger;
    try {
      const res = await this.poster.post(url, JSON.stringify(batch.map((e) => e.value)), headers, timeoutMs);
      if (res.status >= 200 && res.status < 300) {
        if (this.attempt > 0)
          log.info('reports delivered again', { afterAttempts: this.attempt, events: batch.length });
        return 'delivered';
      }
      if (permanentStatuses.has(res.status)) {
        log.error('inspector rejected reports; dropping them', {
          status: res.status,
          body: res.body.slice(0, 500),
        });
        return 'rejected';
      }
      this.logRetry(`HTTP ${res.status}`, batch.length);
      return 'retry';
    } catch (err) {
      this.logRetry(err instanceof Error ? `${err.name}: ${err.message}` : String(err), batch.length);
      return 'retry';
    }
  }

  private logRetry(error: string, events: number): void {
    // First failure and then every 10th: an outage must not flood the log.
    if (this.attempt % 10 === 0) {
      this.options.logger.warn('report delivery failed; will retry', {
        error,
        events,
        attempt: this.attempt + 1,
      });
    }
  }

  /** Tries to deliver what is pending, retrying without backoff, until empty or `timeoutMs` passed. */
  async flush(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.outbox.size > 0 && Date.now() < deadline) {
      if (this.retryTimer) {
        clearTimeout(this.retryTimer);
        this.retryTimer = undefined;
      }
      const left = deadline - Date.now();
      this.settings = { ...this.settings, timeoutMs: Math.max(10, Math.min(this.settings.timeoutMs, left)) };
      this.kick();
      if (this.current) await this.current;
      if (this.retryTimer)
        await new Promise((resolve) => setTimeout(resolve, Math.min(100, Math.max(0, left))));
    }
    return this.outbox.size === 0;
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.poster.close();
  }
}

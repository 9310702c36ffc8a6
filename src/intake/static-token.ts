// The static tokens for external Doctor monitors, read from a Secret in the operator's namespace and
// re-read every 30 s so rotating the Secret needs no restart. Every key of the Secret names an observer
// and holds that observer's token: one token per external monitor, so each counts as one observer and
// two of them are needed to meet a quorum of two.
import type * as k8s from '@kubernetes/client-node';
import type { Logger } from '../observability/logger.js';
import { describeApiError } from '../runtime/api-errors.js';
import type { StaticToken } from './authenticator.js';

export class StaticTokenSource {
  private tokens: StaticToken[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly core: Pick<k8s.CoreV1Api, 'readNamespacedSecret'>,
    private readonly namespace: string,
    private readonly secretName: string,
    private readonly log: Logger,
    private readonly refreshMs = 30_000,
  ) {}

  current(): readonly StaticToken[] {
    return this.tokens;
  }

  async start(): Promise<void> {
    await this.read();
    // Stopped while the first read ran: no timer may outlive stop().
    if (this.stopped) return;
    this.timer = setInterval(() => void this.read(), this.refreshMs);
    this.timer.unref();
  }

  /** Stops the re-reads and waits for one in flight, so nothing touches the API after stop. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.reading;
  }

  private read(): Promise<void> {
    this.reading ??= this.refresh().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async refresh(): Promise<void> {
    try {
      const secret = await this.core.readNamespacedSecret({
        name: this.secretName,
        namespace: this.namespace,
      });
      this.tokens = tokensOf(secret.data ?? {}, (problem) =>
        this.log.warn('static inspector token Secret', { secret: this.secretName, problem }),
      );
      if (this.tokens.length === 0) {
        this.log.warn('static inspector token Secret holds no token', { secret: this.secretName });
      }
    } catch (err) {
      this.log.warn('could not read the static inspector token Secret', {
        secret: this.secretName,
        error: describeApiError(err),
      });
    }
  }
}

/** Each non-empty key is an observer; a token shared by two keys would make them one, so both are dropped. */
export function tokensOf(data: Record<string, string>, warn: (problem: string) => void): StaticToken[] {
  const byToken = new Map<string, string[]>();
  for (const [observer, encoded] of Object.entries(data)) {
    const token = Buffer.from(encoded, 'base64').toString('utf8').trim();
    if (token === '') continue;
    byToken.set(token, [...(byToken.get(token) ?? []), observer]);
  }
  const tokens: StaticToken[] = [];
  for (const [token, observers] of byToken) {
    if (observers.length === 1) tokens.push({ observer: observers[0]!, token });
    else warn(`keys ${observers.sort().join(', ')} hold the same token; none of them is accepted`);
  }
  return tokens.sort((a, b) => (a.observer < b.observer ? -1 : 1));
}

// Keystone v3 session: gets a project-scoped token, shares it between concurrent callers, refreshes it
// before it expires, and drops it when a service answers 401 so the next call re-authenticates.
import type { CloudAuth, EndpointInterface } from './clouds.js';
import { httpError, isRetryableError } from './errors.js';
import { type HttpAgents, headerValue, httpRequest } from '../util/http-client.js';
import {
  authRequestBody,
  parseTokenResponse,
  selectEndpoint,
  type Token,
  tokensUrl,
} from './keystone-body.js';
import { defaultRetryPolicy, type RetryPolicy, withRetry } from './retry.js';
import { errorText } from '../util/error-text.js';

/** One HTTP exchange with OpenStack, for metrics and logs (never holds a token or a body). */
export interface CallRecord {
  service: 'identity' | 'compute';
  method: string;
  path: string;
  status?: number;
  durationMs: number;
  attempt: number;
  error?: string;
}

export type CallObserver = (call: CallRecord) => void;

export interface KeystoneSessionOptions {
  auth: CloudAuth;
  agents?: HttpAgents;
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** Refresh this long before expiry (capped at half the token's lifetime). */
  refreshMarginMs?: number;
  now?: () => number;
  onCall?: CallObserver;
}

export class KeystoneSession {
  private token: Token | undefined;
  private pending: Promise<Token> | undefined;
  private readonly now: () => number;
  private authentications = 0;

  constructor(private readonly options: KeystoneSessionOptions) {
    this.now = options.now ?? Date.now;
  }

  /** How many token requests this session has made (for tests and metrics). */
  get authenticationCount(): number {
    return this.authentications;
  }

  /** A valid token; concurrent callers share one authentication. */
  async getToken(): Promise<Token> {
    const current = this.token;
    if (current !== undefined && !this.needsRefresh(current)) return current;
    this.pending ??= this.authenticate().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forgets `value` after a 401, unless another caller already replaced it. */
  invalidate(value: string): void {
    if (this.token?.value === value) this.token = undefined;
  }

  async endpoint(type: string, iface: EndpointInterface, region: string | undefined): Promise<string> {
    const token = await this.getToken();
    return selectEndpoint(token.catalog, type, iface, region);
  }

  private needsRefresh(token: Token): boolean {
    const lifetime = token.expiresAtMs - token.receivedAtMs;
    const margin = Math.min(this.options.refreshMarginMs ?? 60_000, lifetime / 2);
    return this.now() >= token.expiresAtMs - margin;
  }

  private async authenticate(): Promise<Token> {
    const url = tokensUrl(this.options.auth.authUrl);
    const path = new URL(url).pathname;
    const body = JSON.stringify(authRequestBody(this.options.auth));
    return withRetry(
      async (attempt) => {
        this.authentications++;
        const started = performance.now();
        let answered = false;
        try {
          const res = await httpRequest({
            method: 'POST',
            url,
            headers: { 'content-type': 'application/json', accept: 'application/json' },
            body,
            timeoutMs: this.options.timeoutMs ?? 10_000,
            ...(this.options.agents !== undefined ? { agents: this.options.agents } : {}),
          });
          answered = true;
          this.options.onCall?.({
            service: 'identity',
            method: 'POST',
            path,
            status: res.status,
            durationMs: res.durationMs,
            attempt,
          });
          if (res.status !== 201) {
            throw httpError('identity', 'POST', path, res);
          }
          const token = parseTokenResponse(headerValue(res.headers, 'x-subject-token'), res.body, this.now());
          this.token = token;
          return token;
        } catch (err) {
          if (!answered) {
            this.options.onCall?.({
              service: 'identity',
              method: 'POST',
              path,
              durationMs: performance.now() - started,
              attempt,
              error: errorText(err),
            });
          }
          throw err;
        }
      },
      { policy: this.options.retry ?? defaultRetryPolicy, isRetryable: isRetryableError },
    );
  }
}

// Remembers what the API server said about each bearer token, so that
// - a report burst during a fault costs no TokenReview round trip (answers are fresh for a while);
// - an API server outage does not silence the monitors: a token already accepted keeps being accepted
//   until the token itself expires, while a token never seen is refused (fails closed, 503: retry);
// - random bearers cannot turn into one TokenReview each: refusals are remembered, identical tokens
//   share one review, and reviews of unknown tokens are bounded in number at once and per second.
import { hash } from 'node:crypto';
import type { AuthResult } from './identity.js';
import { KeyedRateLimiter } from './rate-limit.js';

export interface ReviewAnswer {
  result: AuthResult;
  /** When the token itself expires (its own claim), if it says. */
  tokenExpiresAt?: number;
}

/** How long an answer is used without asking again. Every monitor is re-reviewed this often (1000 monitors:
 * about 8 TokenReviews a second); it is also how long a revoked token (its Pod deleted) may still be
 * accepted. Two minutes is the API server's own default for caching webhook token reviews. */
export const reviewFreshMs = 2 * 60_000;

export interface ReviewCacheOptions {
  /** An answer is used without asking again for this long (default reviewFreshMs). */
  freshMs?: number;
  /** An accepted token without an expiry of its own is trusted through an outage at most this long. */
  maxStaleMs?: number;
  /** Accepted and refused tokens remembered, each (oldest forgotten first). */
  maxEntries?: number;
  /** TokenReviews in flight at once. */
  maxInFlight?: number;
  /** New (unknown) tokens reviewed per second, sustained and burst. */
  reviewsPerSecond?: number;
  reviewBurst?: number;
  now?: () => number;
}

interface Remembered {
  answer: ReviewAnswer;
  reviewedAt: number;
  /** Beyond this the answer is never used, not even during an outage. */
  usableUntil: number;
}

const busy: AuthResult = {
  ok: false,
  status: 503,
  error: 'too many unverified tokens at once; retry shortly',
};

export class ReviewCache {
  private readonly accepted = new Map<string, Remembered>();
  private readonly refused = new Map<string, Remembered>();
  /** Reviews of tokens not yet accepted, which requests wait on. */
  private readonly inFlight = new Map<string, Promise<AuthResult>>();
  /** Background re-reviews of accepted tokens; kept apart so they never crowd out new tokens. */
  private readonly refreshing = new Set<string>();
  private readonly newTokens: KeyedRateLimiter;
  private readonly freshMs: number;
  private readonly maxStaleMs: number;
  private readonly maxEntries: number;
  private readonly maxInFlight: number;
  private readonly now: () => number;

  constructor(
    private readonly review: (token: string) => Promise<ReviewAnswer>,
    private readonly describeError: (err: unknown) => string,
    options: ReviewCacheOptions = {},
  ) {
    this.freshMs = options.freshMs ?? reviewFreshMs;
    this.maxStaleMs = options.maxStaleMs ?? 10 * 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.maxInFlight = options.maxInFlight ?? 8;
    this.now = options.now ?? Date.now;
    this.newTokens = new KeyedRateLimiter({
      ratePerSecond: options.reviewsPerSecond ?? 20,
      burst: options.reviewBurst ?? 40,
      maxKeys: 1,
      now: this.now,
    });
  }

  authenticate(token: string): Promise<AuthResult> {
    // Tokens are remembered by their digest, never as they are; the one-shot form costs a fraction of a
    // Hash object, and every heartbeat pays it.
    const key = hash('sha256', token, 'hex');
    const now = this.now();
    const accepted = usable(this.accepted, key, now);
    if (accepted && now - accepted.reviewedAt < this.freshMs) return Promise.resolve(accepted.answer.result);
    if (accepted) {
      // Stale but still usable: answer at once and ask again in the background, so a monitor's
      // heartbeats never wait on a TokenReview once its token was accepted. A refusal applies from the
      // next request on.
      this.refresh(token, key, accepted);
      return Promise.resolve(accepted.answer.result);
    }
    const refused = usable(this.refused, key, now);
    if (refused) return Promise.resolve(refused.answer.result);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    if (this.inFlight.size >= this.maxInFlight || !this.newTokens.take('new')) return Promise.resolve(busy);
    const promise = this.ask(token, key, undefined).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }

  /** Re-reviews an accepted token, once at a time per token and at most maxInFlight at once (else later). */
  private refresh(token: string, key: string, accepted: Remembered): void {
    if (this.refreshing.has(key) || this.refreshing.size >= this.maxInFlight) return;
    this.refreshing.add(key);
    void this.ask(token, key, accepted).finally(() => this.refreshing.delete(key));
  }

  /** Tokens remembered (accepted, refused): bounded by maxEntries each. */
  get size(): { accepted: number; refused: number } {
    return { accepted: this.accepted.size, refused: this.refused.size };
  }

  private async ask(token: string, key: string, accepted: Remembered | undefined): Promise<AuthResult> {
    let answer: ReviewAnswer;
    try {
      answer = await this.review(token);
    } catch (err) {
      // The API server is unreachable: what it already accepted stays accepted until the token expires;
      // nothing new gets in.
      if (accepted) return accepted.answer.result;
      return { ok: false, status: 503, error: `could not verify the token: ${this.describeError(err)}` };
    }
    const now = this.now();
    this.accepted.delete(key);
    this.refused.delete(key);
    if (answer.result.ok) {
      const usableUntil = Math.min(answer.tokenExpiresAt ?? Infinity, now + this.maxStaleMs);
      remember(this.accepted, key, { answer, reviewedAt: now, usableUntil }, this.maxEntries);
    } else {
      remember(
        this.refused,
        key,
        { answer, reviewedAt: now, usableUntil: now + this.freshMs },
        this.maxEntries,
      );
    }
    return answer.result;
  }
}

function usable(map: Map<string, Remembered>, key: string, now: number): Remembered | undefined {
  const entry = map.get(key);
  if (entry && now >= entry.usableUntil) map.delete(key);
  return entry && now < entry.usableUntil ? entry : undefined;
}

function remember(map: Map<string, Remembered>, key: string, entry: Remembered, max: number): void {
  map.set(key, entry);
  while (map.size > max) map.delete(map.keys().next().value!);
}

/** The `exp` claim of a JWT in epoch milliseconds, read without verifying (the API server verified it). */
export function tokenExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

// Bounded retries with exponential backoff and jitter. Jitter spreads a burst of parallel calls that
// failed together, so they do not hit a struggling API again in lock step. An API that says when to come
// back (Retry-After on 429 or 503) is waited for, up to a cap, within the same count and deadline.

import { backoffDelay, honourRetryAfter } from '../util/backoff.js';

export interface RetryPolicy {
  /** Total tries including the first (>= 1). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Stop retrying once this much time has passed since the first try (the running try is not cut). */
  deadlineMs?: number;
  /** Longest wait a Retry-After may impose (default 10 s); longer hints are cut to it. */
  maxRetryAfterMs?: number;
}

// Ten tries survive an API that fails half of all calls for all but ~0.1% of calls; the deadline keeps
// a dead API from holding a remediation step for long.
export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 10,
  baseDelayMs: 25,
  maxDelayMs: 1000,
  deadlineMs: 20_000,
};

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('aborted'));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryOptions {
  policy: RetryPolicy;
  isRetryable: (err: unknown) => boolean;
  signal?: AbortSignal;
  random?: () => number;
  /** Called before each wait, e.g. for a log line. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

const defaultMaxRetryAfterMs = 10_000;

function retryAfterOf(err: unknown): number | undefined {
  const hint = (err as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof hint === 'number' ? hint : undefined;
}

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { policy } = options;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= policy.maxAttempts || !options.isRetryable(err) || options.signal?.aborted) throw err;
      const delay = honourRetryAfter(
        backoffDelay(attempt, policy.baseDelayMs, policy.maxDelayMs, options.random),
        retryAfterOf(err),
        policy.maxRetryAfterMs ?? defaultMaxRetryAfterMs,
      );
      if (policy.deadlineMs !== undefined && Date.now() - started + delay > policy.deadlineMs) throw err;
      options.onRetry?.(err, attempt, delay);
      // Aborted while waiting: the caller wants the last real failure, not "aborted".
      await sleep(delay, options.signal).catch(() => Promise.reject(err as Error));
    }
  }
}

// When to try a failed delivery again. Pure (the random source is a parameter) so the schedule is easy
// to test; the remediation layer keeps the attempt count in HostHealth status and calls this.

import { backoffDelay } from '../util/backoff.js';

export interface RetryDelayOptions {
  /** Delay before the first retry, before jitter. */
  baseMs?: number;
  /** Upper bound of any delay: a consumer down for minutes is retried at least this often. */
  capMs?: number;
  /** Returns a number in [0, 1). */
  random?: () => number;
}

/**
 * Delay in ms before retry `attempt` (1 = first retry): base * 2^(attempt-1), capped, with equal jitter
 * (between half and all of it), so retries to one consumer from many servers spread out.
 */
export function nextRetryDelay(attempt: number, options: RetryDelayOptions = {}): number {
  const base = options.baseMs ?? 200;
  const cap = options.capMs ?? 10_000;
  const random = options.random ?? Math.random;
  return Math.round(backoffDelay(Math.floor(attempt), base, cap, random));
}

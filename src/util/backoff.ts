// The one backoff formula: the delay doubles from `baseMs` per attempt up to `capMs`. The exponent is
// clamped so a long outage never overflows to Infinity or NaN.

/** Delay before retry `attempt` (1 = the first retry) without jitter: base * 2^(attempt-1), capped. */
export function exponentialDelay(attempt: number, baseMs: number, capMs: number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  return Math.min(capMs, baseMs * 2 ** exponent);
}

/**
 * The same delay with "equal jitter" (half fixed, half random): callers that failed together do not
 * retry in lockstep, and the delay never collapses to zero nor exceeds the cap.
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = exponentialDelay(attempt, baseMs, capMs);
  return ceiling / 2 + random() * (ceiling / 2);
}

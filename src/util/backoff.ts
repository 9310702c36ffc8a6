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

/**
 * A server's Retry-After value (RFC 9110: delay-seconds or an HTTP date) in ms from `nowMs`, or
 * undefined when absent or unreadable. A date in the past means "now" (0).
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  // Only the date forms: Date.parse alone would also take "5 minutes" or bare years.
  if (!/^[A-Za-z]{3},? /.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * The wait before a retry when the server asked for one: never shorter than our own backoff, never
 * longer than `hintCapMs`, so a hostile or confused server cannot park the caller for hours.
 */
export function honourRetryAfter(backoffMs: number, hintMs: number | undefined, hintCapMs: number): number {
  if (hintMs === undefined) return backoffMs;
  return Math.max(backoffMs, Math.min(hintMs, hintCapMs));
}

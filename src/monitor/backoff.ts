// Retry delay: exponential from `baseMs`, capped at `maxMs`, with "equal jitter" (half fixed, half
// random) so monitors that lost the inspector together do not retry in lockstep.

export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(maxMs, baseMs * 2 ** exponent);
  return ceiling / 2 + random() * (ceiling / 2);
}

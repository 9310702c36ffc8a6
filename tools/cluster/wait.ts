// Bounded polling: every wait in the test bed has a deadline and says what it was waiting for.
import { errorText } from '../../src/util/error-text.js';
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  options: { timeoutMs?: number; intervalMs?: number; abortIf?: () => string | undefined } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const intervalMs = options.intervalMs ?? 200;
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    const abortReason = options.abortIf?.();
    if (abortReason) throw new Error(`gave up waiting for ${what}: ${abortReason}`);
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = errorText(err);
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

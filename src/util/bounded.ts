// Runs an async function over items with at most `limit` in flight; the first failure is rethrown after
// the in-flight calls settle, so no write is left dangling.
export async function runBounded<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let firstError: Error | undefined;
  const worker = async () => {
    while (next < items.length && firstError === undefined) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (err) {
        firstError ??= err instanceof Error ? err : new Error(JSON.stringify(err));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (firstError !== undefined) throw firstError;
}

// Runs a task for every item with at most `limit` in flight. There is deliberately no cap on the number
// of items (Doctor's reference silently dropped servers beyond 50); only the parallelism is bounded.
// After the first failure no new item starts; it is rethrown once the calls in flight settle, so no
// write is left dangling.

export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`concurrency limit must be an integer >= 1, got ${limit}`);
  const results = new Array<R>(items.length);
  let next = 0;
  let firstError: Error | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length && firstError === undefined) {
      const index = next++;
      try {
        results[index] = await task(items[index] as T, index);
      } catch (err) {
        firstError ??= err instanceof Error ? err : new Error(JSON.stringify(err));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (firstError !== undefined) throw firstError;
  return results;
}

/**
 * A counting semaphore shared by many callers: bounds the calls in flight across every job (a rack
 * failure runs many hosts at once) while each job keeps its own, smaller bound.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`concurrency limit must be an integer >= 1, got ${limit}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `active` never overshoots the limit.
      if (next !== undefined) next();
      else this.active--;
    }
  }

  get inFlight(): number {
    return this.active;
  }
}

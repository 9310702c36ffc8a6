// Token buckets keyed by who is asking (a reporter's identity, or "new tokens" as a whole), so one noisy
// or hostile client cannot take the inspector's time from the others. The table of keys is bounded: when
// it is full the least recently used key is forgotten (it starts again with a full bucket).

export interface RateLimitOptions {
  /** Sustained requests per second per key. */
  ratePerSecond: number;
  /** Requests a key may make at once after a quiet spell. */
  burst: number;
  maxKeys?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class KeyedRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(private readonly options: RateLimitOptions) {
    this.maxKeys = options.maxKeys ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Takes one request from the key's bucket; false when it is empty (the caller refuses the request). */
  take(key: string): boolean {
    const now = this.now();
    const { ratePerSecond, burst } = this.options;
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    this.buckets.delete(key); // re-inserted last: Map order is least recently used first
    bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, now - bucket.at) * ratePerSecond) / 1000);
    bucket.at = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    return allowed;
  }

  get size(): number {
    return this.buckets.size;
  }
}

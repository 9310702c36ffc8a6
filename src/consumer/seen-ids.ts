// Ids already received, to drop duplicates and refuse replays. For each id it keeps the signed send
// time of the accepted request: the same id with the same time is the very same request sent again (a
// replay), the same id with another time is the operator retrying. Bounded: the oldest ids are forgotten
// first (a retry arrives soon after the original, and a replay older than the timestamp tolerance is
// refused anyway), so a long-running consumer does not grow without limit.
export type SeenVerdict = 'new' | 'duplicate' | 'replay';

export class SeenIds {
  private readonly ids = new Map<string, string | undefined>();

  constructor(private readonly capacity = 100_000) {}

  /**
   * Records the id with its signed timestamp (undefined when the request was not signed); says whether
   * it is new, a repeat under another timestamp, or a repeat of the exact same signed request.
   */
  check(id: string, timestamp?: string): SeenVerdict {
    if (this.ids.has(id)) {
      const first = this.ids.get(id);
      return timestamp !== undefined && first === timestamp ? 'replay' : 'duplicate';
    }
    this.ids.set(id, timestamp);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.keys().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    return 'new';
  }

  /** Records the id; returns true when it had been seen before. */
  checkAndAdd(id: string): boolean {
    return this.check(id) !== 'new';
  }

  get size(): number {
    return this.ids.size;
  }
}

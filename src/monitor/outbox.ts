// Reports waiting for delivery, keyed by what they are about (e.g. "host:node-2"), so a newer state
// replaces an older one that was not delivered yet: after an outage the inspector gets the latest state of
// every peer, not a replay of every flap. Bounded: past `capacity` keys the oldest entry is dropped
// (expendable ones, such as heartbeats, first). Pure; the sender decides when to deliver.

export interface OutboxEntry<T> {
  key: string;
  value: T;
  /** Increases with every put; an ack only removes the version that was sent. */
  seq: number;
}

export interface PutResult<T> {
  superseded?: T;
  evicted?: OutboxEntry<T>;
}

export class Outbox<T> {
  private readonly entries = new Map<string, OutboxEntry<T>>();
  private counter = 0;

  constructor(
    private readonly capacity: number,
    private readonly isExpendable: (key: string) => boolean = () => false,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new Error(`capacity must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.entries.size;
  }

  put(key: string, value: T): PutResult<T> {
    const result: PutResult<T> = {};
    const previous = this.entries.get(key);
    if (previous) {
      result.superseded = previous.value;
      // Re-insert so iteration order stays the order of the latest puts.
      this.entries.delete(key);
    } else if (this.entries.size >= this.capacity) {
      const victim = this.oldest((k) => this.isExpendable(k)) ?? this.oldest(() => true);
      if (victim) {
        this.entries.delete(victim.key);
        result.evicted = victim;
      }
    }
    this.entries.set(key, { key, value, seq: ++this.counter });
    return result;
  }

  private oldest(match: (key: string) => boolean): OutboxEntry<T> | undefined {
    for (const entry of this.entries.values()) if (match(entry.key)) return entry;
    return undefined;
  }

  /** The oldest `max` entries, in the order they were put. */
  batch(max: number): OutboxEntry<T>[] {
    const out: OutboxEntry<T>[] = [];
    for (const entry of this.entries.values()) {
      if (out.length >= max) break;
      out.push(entry);
    }
    return out;
  }

  /** Removes delivered entries, unless a newer version was put meanwhile. */
  ack(delivered: readonly OutboxEntry<T>[]): void {
    for (const entry of delivered) {
      if (this.entries.get(entry.key)?.seq === entry.seq) this.entries.delete(entry.key);
    }
  }
}

// Ids already received, to drop duplicates. Bounded: the oldest ids are forgotten first, so a long-running
// consumer does not grow without limit (a duplicate arrives soon after the original, not days later).
export class SeenIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 100_000) {}

  /** Records the id; returns true when it had been seen before. */
  checkAndAdd(id: string): boolean {
    if (this.ids.has(id)) return true;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    return false;
  }

  get size(): number {
    return this.ids.size;
  }
}

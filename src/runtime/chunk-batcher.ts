// Holds a stream's chunks for a moment and hands them over together. Each watch event that arrives on
// its own wakes the process, and the code that handles it runs cold (its caches were used by others in
// between): at a thousand Nodes heartbeating, handling the events one by one cost several times what
// handling a few together does. A short hold (a tenth of a second) batches them at no cost that matters
// to what the events are for.

/** Bytes held at most before they are handed over at once. */
export const maxHeldBytes = 1024 * 1024;

export class ChunkBatcher {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deliver: (chunk: Buffer) => void,
    private readonly holdMs: number,
    private readonly maxBytes = maxHeldBytes,
  ) {}

  push(chunk: Buffer): void {
    if (this.holdMs <= 0) {
      this.deliver(chunk);
      return;
    }
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    if (this.heldBytes >= this.maxBytes) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.holdMs);
      this.timer.unref();
    }
  }

  /** Hands over everything held, in order. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const chunks = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const chunk of chunks) this.deliver(chunk);
  }

  /** Forgets everything held. */
  drop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.held = [];
    this.heldBytes = 0;
  }
}

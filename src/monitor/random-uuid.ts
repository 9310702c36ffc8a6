// Random (version 4) UUIDs for the events' `id`, from the kernel's random source read in batches. The
// monitor does not load node:crypto for them: OpenSSL's start-up alone costs every node some 5 MB.

// A builtin comes from process.getBuiltinModule, not `import`, to keep the monitor small (http-post.ts says why).
const { closeSync, openSync, readSync } = process.getBuiltinModule('node:fs');

const bytesPerUuid = 16;
// 64 ids per read: a monitor sends a heartbeat every few seconds and a report per state change.
const batchBytes = 64 * bytesPerUuid;

export class UuidSource {
  private pool = Buffer.alloc(0);
  private used = 0;

  constructor(private readonly randomFile = '/dev/urandom') {}

  next(): string {
    if (this.used + bytesPerUuid > this.pool.length) this.refill();
    const b = this.pool.subarray(this.used, this.used + bytesPerUuid);
    this.used += bytesPerUuid;
    b[6] = (b[6]! & 0x0f) | 0x40; // version 4
    b[8] = (b[8]! & 0x3f) | 0x80; // RFC 9562 variant
    const hex = b.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  private refill(): void {
    const pool = Buffer.alloc(batchBytes);
    const fd = openSync(this.randomFile, 'r');
    try {
      let filled = 0;
      while (filled < pool.length) {
        const n = readSync(fd, pool, filled, pool.length - filled, null);
        if (n === 0) throw new Error(`${this.randomFile} ended after ${filled} bytes`);
        filled += n;
      }
    } finally {
      closeSync(fd);
    }
    this.pool = pool;
    this.used = 0;
  }
}

const shared = new UuidSource();

export function randomUuid(): string {
  return shared.next();
}

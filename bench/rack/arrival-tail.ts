// Reads the consumer's record file (one JSON line per arrival) incrementally, so a 10 ms poll does not
// re-parse thousands of lines. A line the consumer is still writing is kept until it is complete.
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { ArrivalRecord } from '../../src/consumer/recorder.js';

export class ArrivalTail {
  private position = 0;
  private partial = '';
  private readonly buffer = Buffer.alloc(1 << 20);
  // Keeps a multi-byte character split across two reads whole.
  private readonly decoder = new StringDecoder('utf8');

  constructor(private readonly path: string) {}

  /** Arrivals recorded since the last call. */
  read(): ArrivalRecord[] {
    if (!existsSync(this.path)) return [];
    const fd = openSync(this.path, 'r');
    let text = this.partial;
    try {
      for (;;) {
        const n = readSync(fd, this.buffer, 0, this.buffer.length, this.position);
        if (n === 0) break;
        this.position += n;
        text += this.decoder.write(this.buffer.subarray(0, n));
      }
    } finally {
      closeSync(fd);
    }
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    return lines.filter(Boolean).map((line) => JSON.parse(line) as ArrivalRecord);
  }
}

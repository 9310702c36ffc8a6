// Appends one JSON line per arrival to the record file (read by tests and `make bench`). One write at a
// time, so lines never interleave, and each line is written before the sender gets its 200. Lines that
// arrive while a write is in flight go out together in the next one: one write per line, chained, made
// every answer of a burst wait for all the writes before it, so the recorder throttled the senders.
import { open, type FileHandle } from 'node:fs/promises';

export interface ArrivalRecord {
  /** Receive time, epoch milliseconds (taken before the body is parsed). */
  receivedAtMs: number;
  id?: string;
  format: string;
  type?: string;
  host?: string;
  server?: string;
  project?: string;
  duplicate: boolean;
}

interface PendingLine {
  line: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class ArrivalRecorder {
  private pending: PendingLine[] = [];
  private writing: Promise<void> | undefined;
  /** Writes made so far, for tests. */
  writes = 0;

  private constructor(private readonly file: FileHandle) {}

  static async open(path: string): Promise<ArrivalRecorder> {
    return new ArrivalRecorder(await open(path, 'a'));
  }

  append(record: ArrivalRecord): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ line, resolve, reject });
      this.writing ??= this.drain();
    });
  }

  async close(): Promise<void> {
    await this.writing;
    await this.file.close();
  }

  /** Writes what is pending, then what arrived meanwhile, until nothing is left. A failed write fails
   * only the lines it carried. */
  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        await this.file.write(batch.map((p) => p.line).join(''));
        this.writes++;
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.writing = undefined;
  }
}

// Appends one JSON line per arrival to the record file (read by tests and `make bench`). Writes are
// chained so lines never interleave, and each is on disk before the sender gets its 200.
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

export class ArrivalRecorder {
  private chain: Promise<void> = Promise.resolve();

  private constructor(private readonly file: FileHandle) {}

  static async open(path: string): Promise<ArrivalRecorder> {
    return new ArrivalRecorder(await open(path, 'a'));
  }

  append(record: ArrivalRecord): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    const write = this.chain.then(async () => {
      await this.file.write(line);
    });
    // Keep the chain alive after a failed write; the caller still sees the failure.
    this.chain = write.catch(() => undefined);
    return write;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.file.close();
  }
}

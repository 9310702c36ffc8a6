// Parses the lines `fping -l` (loop mode) prints on stdout, one per probe and target. Pure, so every
// format is unit-tested.
//   198.18.0.3 : [7], 64 bytes, 0.054 ms (0.061 avg, 0% loss)     a reply to probe 7
//   198.18.0.3 : [8], timed out (0.061 avg, 11% loss)              probe 8 got no reply within -t
// Anything else (fping's errors and ICMP notices go to stderr) is `other`.

export type FpingLine =
  | { kind: 'reply'; address: string; seq: number; rttMs: number }
  | { kind: 'timeout'; address: string; seq: number }
  | { kind: 'other' };

const probeLine = /^(\S+) : \[(\d+)\], (?:\d+ bytes, ([\d.]+) ms|(timed out))/;

export function parseFpingLine(line: string): FpingLine {
  const m = probeLine.exec(line);
  if (!m) return { kind: 'other' };
  const address = m[1]!;
  const seq = Number(m[2]);
  if (m[4] !== undefined) return { kind: 'timeout', address, seq };
  const rttMs = Number(m[3]);
  return Number.isFinite(rttMs) ? { kind: 'reply', address, seq, rttMs } : { kind: 'other' };
}

/** Longest unfinished line kept between chunks; a longer one is garbage and dropped. */
const maxLineLength = 4096;

/** Splits a byte stream into lines, keeping the unfinished tail for the next chunk. */
export class LineSplitter {
  private tail = '';

  push(chunk: string): string[] {
    const text = this.tail + chunk;
    const lines = text.split('\n');
    this.tail = lines.pop() ?? '';
    if (this.tail.length > maxLineLength) this.tail = '';
    return lines.filter((l) => l.length > 0);
  }
}

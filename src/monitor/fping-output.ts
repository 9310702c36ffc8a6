// Parses what `fping -l` (loop mode) prints on stdout, one line per probe and target:
//   198.18.0.3 : [7], 64 bytes, 0.054 ms (0.061 avg, 0% loss)     a reply to probe 7
//   198.18.0.3 : [8], timed out (0.061 avg, 11% loss)              probe 8 got no reply within -t
//   198.18.0.3  : [8], ...      the same, when another address fping was given is longer (198.18.0.10)
// Anything else (fping's errors and ICMP notices go to stderr) is `other`.
//
// The monitor reads some 30 lines a second per peer for days, so the reader works on the bytes as they
// come from the pipe: no string per line, no regular expression, no array per chunk. Only lines it does
// not understand become strings (they are rare and kept for the log).

/** Where each parsed line goes. `target` is the index of the line's address in the reader's list. */
export interface FpingLineSink {
  reply(target: number, seq: number, rttMs: number): void;
  timeout(target: number, seq: number): void;
  other(line: string): void;
}

/** Longest unfinished line kept between chunks; a longer one is garbage and dropped. */
export const maxLineLength = 4096;

const newline = 0x0a;
const spaceByte = 0x20;
const colon = 0x3a;
const openBracket = 0x5b;
const closeBracket = 0x5d;
const comma = 0x2c;
const dot = 0x2e;
const zero = 0x30;
const nine = 0x39;
// Seq numbers beyond this are not fping's (it counts from 0 at its start); they keep the parse exact.
const maxSeq = 2 ** 40;

const timedOut = Buffer.from('timed out', 'latin1');
const bytesMs = Buffer.from(' bytes, ', 'latin1');

export class FpingOutputReader {
  private readonly addresses: Buffer[];
  /** Length of the longest address: how far a line's first space may be. */
  private readonly longest: number;
  /** The unfinished line of the previous chunk (fping writes whole lines, so this is rare). */
  private tail: Buffer | undefined;

  constructor(
    addresses: readonly string[],
    private readonly sink: FpingLineSink,
  ) {
    this.addresses = addresses.map((a) => Buffer.from(a, 'latin1'));
    this.longest = Math.max(0, ...this.addresses.map((a) => a.length));
  }

  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.tail) {
      buf = Buffer.concat([this.tail, chunk]);
      this.tail = undefined;
    }
    let start = 0;
    for (;;) {
      const end = buf.indexOf(newline, start);
      if (end < 0) break;
      if (end > start) this.line(buf, start, end);
      start = end + 1;
    }
    if (start < buf.length && buf.length - start <= maxLineLength) {
      // A copy: the pipe's buffer may be reused once this callback returns.
      this.tail = Buffer.from(buf.subarray(start));
    }
  }

  /** Parses buf[start, end) (no newline) and hands the result to the sink. */
  private line(buf: Buffer, start: number, end: number): void {
    const target = this.targetOf(buf, start, end);
    // "<address> : [<seq>], ", the address padded with spaces to the longest one fping was given.
    let i = target < 0 ? -1 : start + this.addresses[target]!.length;
    while (i >= 0 && i < end && buf[i] === spaceByte) i++;
    if (i >= 0 && end - i > 3 && buf[i] === colon && buf[i + 1] === spaceByte) i += 2;
    else i = -1;
    if (i >= 0 && buf[i] === openBracket) i++;
    else i = -1;
    let seq = 0;
    const seqStart = i;
    while (i >= 0 && i < end && buf[i]! >= zero && buf[i]! <= nine && seq < maxSeq)
      seq = seq * 10 + buf[i++]! - zero;
    if (
      i === seqStart ||
      i < 0 ||
      buf[i] !== closeBracket ||
      buf[i + 1] !== comma ||
      buf[i + 2] !== spaceByte
    ) {
      this.sink.other(buf.toString('latin1', start, end));
      return;
    }
    i += 3;
    if (startsWith(buf, i, end, timedOut)) {
      this.sink.timeout(target, seq);
      return;
    }
    // "<n> bytes, <rtt> ms"
    const sizeStart = i;
    while (i < end && buf[i]! >= zero && buf[i]! <= nine) i++;
    const rtt =
      i > sizeStart && startsWith(buf, i, end, bytesMs) ? readMs(buf, i + bytesMs.length, end) : NaN;
    if (Number.isFinite(rtt)) this.sink.reply(target, seq, rtt);
    else this.sink.other(buf.toString('latin1', start, end));
  }

  /** Which address the line starts with (followed by a space), or -1. */
  private targetOf(buf: Buffer, start: number, end: number): number {
    const limit = Math.min(end, start + this.longest + 1);
    let spaceAt = start;
    while (spaceAt < limit && buf[spaceAt] !== spaceByte) spaceAt++;
    if (spaceAt >= limit) return -1;
    const length = spaceAt - start;
    for (let t = 0; t < this.addresses.length; t++) {
      const a = this.addresses[t]!;
      if (a.length !== length) continue;
      // From the end: the peers' addresses usually share all but their last digits.
      let k = length - 1;
      while (k >= 0 && buf[start + k] === a[k]) k--;
      if (k < 0) return t;
    }
    return -1;
  }
}

function startsWith(buf: Buffer, at: number, end: number, prefix: Buffer): boolean {
  if (end - at < prefix.length) return false;
  for (let k = 0; k < prefix.length; k++) if (buf[at + k] !== prefix[k]) return false;
  return true;
}

/** "<digits>[.<digits>] ms" at buf[i..end): the number, or NaN. */
function readMs(buf: Buffer, i: number, end: number): number {
  let whole = 0;
  let digits = 0;
  while (i < end && buf[i]! >= zero && buf[i]! <= nine && digits < 15) {
    whole = whole * 10 + buf[i++]! - zero;
    digits++;
  }
  let fraction = 0;
  let scale = 1;
  if (buf[i] === dot) {
    i++;
    while (i < end && buf[i]! >= zero && buf[i]! <= nine && scale < 1e15) {
      fraction = fraction * 10 + buf[i++]! - zero;
      scale *= 10;
      digits++;
    }
  }
  if (digits === 0 || buf[i] !== spaceByte || buf[i + 1] !== 0x6d || buf[i + 2] !== 0x73) return NaN;
  return whole + fraction / scale;
}

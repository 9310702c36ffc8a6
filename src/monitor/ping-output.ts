// Parses the lines iputils `ping -n -O` prints while it runs. Pure, so every format is unit-tested.
//   64 bytes from 198.18.0.3: icmp_seq=7 ttl=64 time=0.054 ms      a reply
//   no answer yet for icmp_seq=8                                   printed (-O) when seq 9 is sent
//   From 198.18.0.2 icmp_seq=30 Destination Host Unreachable      an ICMP error (e.g. ARP failed)
//   ping: sendmsg: Network is unreachable                          a local send error (stderr)

export type PingLine =
  | { kind: 'reply'; seq: number; rttMs: number }
  | { kind: 'no-answer'; seq: number }
  | { kind: 'error'; seq: number | undefined; message: string }
  | { kind: 'duplicate'; seq: number }
  | { kind: 'other' };

const timestamp = /^\[\d+(?:\.\d+)?\]\s*/;
const reply = /^\d+ bytes from \S+: icmp_seq=(\d+)\b.*?\btime[=<]([\d.]+) ms/;
const noAnswer = /^no answer yet for icmp_seq=(\d+)/;
const icmpError = /^From \S+ icmp_seq=(\d+) (.+)$/;
const localError = /^ping: (.+)$/;

export function parsePingLine(raw: string): PingLine {
  // Hot path (one call per probe): dispatch on the first character before trying any pattern.
  const line = raw.charCodeAt(0) === 0x5b /* [ */ ? raw.trim().replace(timestamp, '') : raw.trim();
  const first = line.charCodeAt(0);
  if (first >= 0x30 && first <= 0x39) return parseReply(line);
  let m: RegExpExecArray | null;
  if (first === 0x6e /* n */) {
    m = noAnswer.exec(line);
    return m ? { kind: 'no-answer', seq: Number(m[1]) } : { kind: 'other' };
  }
  m = icmpError.exec(line);
  if (m) return { kind: 'error', seq: Number(m[1]), message: m[2]! };
  m = localError.exec(line);
  if (m) return { kind: 'error', seq: undefined, message: m[1]! };
  return { kind: 'other' };
}

function parseReply(line: string): PingLine {
  const m = reply.exec(line);
  if (!m) return { kind: 'other' };
  const seq = Number(m[1]);
  if (line.endsWith('(DUP!)')) return { kind: 'duplicate', seq };
  return { kind: 'reply', seq, rttMs: Number(m[2]) };
}

/** Splits a byte stream into lines, keeping the unfinished tail for the next chunk. */
export class LineSplitter {
  private tail = '';

  push(chunk: string): string[] {
    // Fast path: ping writes one whole line per write, so a chunk is usually exactly one line.
    if (this.tail === '' && chunk.indexOf('\n') === chunk.length - 1)
      return chunk.length > 1 ? [chunk.slice(0, -1)] : [];
    const text = this.tail + chunk;
    const lines = text.split('\n');
    this.tail = lines.pop() ?? '';
    // A line without a newline this long is garbage; drop it rather than grow without bound.
    if (this.tail.length > 4096) this.tail = '';
    return lines.filter((l) => l.length > 0);
  }
}

// Turns the line stream of one long-running `ping -O` into per-probe outcomes with our own timeout.
// Pure: the caller passes the time of every line and of every timer tick.
//
// ping prints replies, and (with -O) "no answer yet" only when it sends the NEXT probe, i.e. one interval
// after the lost one. To honour timeoutMilliseconds (usually much shorter than that on a LAN) we estimate
// when each probe was sent: a reply tells us seq N left at (arrival - rtt); a "no answer yet for N" line
// tells us seq N+1 is leaving now. Consecutive anchors measure ping's cadence and how late a send can be
// against the estimate (ping wakes up a few ms late, then catches up); probe N's deadline is its estimated
// send time + timeout, the timeout stretched to cover that lateness when it is not already larger. A probe
// with no reply by its deadline is a miss; a reply that arrives after that is reported as a late success.
import type { PingLine } from './ping-output.js';

export interface ScheduledOutcome {
  seq: number;
  ok: boolean;
  sentAt: number;
  at: number;
  rttMs?: number;
  /** A reply to a probe that had already been counted as missed. */
  late?: boolean;
}

const seqSpace = 65536;
// A timer callback that comes very late (suspended process) must not emit thousands of misses at once.
const maxMissesPerTick = 1000;

export class ProbeSchedule {
  cadenceMs: number;
  cadenceSamples = 0;
  /** Average positive deviation of a send from its estimate (ms). */
  private lateness = 0;
  /** Time of the last line ping printed: proof that the ping process is alive and sending. */
  lastLineAt: number;
  private anchorSeq = 1;
  private anchorAt: number;
  private nextSeq = 1;
  private anchored = false;

  constructor(
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
    /** When ping was started; it sends seq 1 at once. */
    startedAt: number,
    /** Extra time allowed before the first line: starting ping (exec, socket) takes a few ms. */
    private readonly startupGraceMs = 0,
  ) {
    this.cadenceMs = intervalMs;
    this.anchorAt = startedAt;
    this.lastLineAt = startedAt;
  }

  /** ping's icmp_seq is 16 bits; map it to the nearest full sequence number. */
  private unwrap(raw: number): number {
    const base = this.nextSeq - (this.nextSeq % seqSpace);
    let best = base + raw;
    for (const candidate of [best - seqSpace, best + seqSpace]) {
      if (candidate >= 1 && Math.abs(candidate - this.nextSeq) < Math.abs(best - this.nextSeq))
        best = candidate;
    }
    return best;
  }

  sendTime(seq: number): number {
    return this.anchorAt + (seq - this.anchorSeq) * this.cadenceMs;
  }

  /** How long after its estimated send a probe may still be leaving: twice the average lateness. */
  get lateAllowanceMs(): number {
    return Math.min(2 * this.lateness, this.cadenceMs / 4);
  }

  /**
   * When the oldest unresolved probe becomes a miss: the timeout counts from the estimated send, but is
   * stretched when ping's send jitter is comparable to it (a late send must still get time to be answered).
   */
  nextDeadline(): number {
    const wait = this.anchored
      ? Math.max(this.timeoutMs, this.lateAllowanceMs + 2)
      : this.timeoutMs + this.startupGraceMs;
    return this.sendTime(this.nextSeq) + wait;
  }

  private reanchor(seq: number, at: number): void {
    const gap = seq - this.anchorSeq;
    if (gap >= 1 && gap <= 8) {
      const spacing = (at - this.anchorAt) / gap;
      if (spacing > this.intervalMs * 0.5 && spacing < this.intervalMs * 2) {
        if (gap === 1) this.lateness += 0.1 * (Math.max(0, spacing - this.cadenceMs) - this.lateness);
        this.cadenceMs += 0.2 * (spacing - this.cadenceMs);
        this.cadenceSamples++;
      }
    }
    if (gap >= 0) {
      this.anchored = true;
      this.anchorSeq = seq;
      this.anchorAt = at;
    }
  }

  private missesUpTo(lastSeq: number, at: number): ScheduledOutcome[] {
    const out: ScheduledOutcome[] = [];
    while (this.nextSeq <= lastSeq && out.length < maxMissesPerTick) {
      out.push({ seq: this.nextSeq, ok: false, sentAt: this.sendTime(this.nextSeq), at });
      this.nextSeq++;
    }
    this.nextSeq = Math.max(this.nextSeq, lastSeq + 1);
    return out;
  }

  onLine(line: PingLine, now: number): ScheduledOutcome[] {
    if (line.kind === 'other') return [];
    this.lastLineAt = now;
    switch (line.kind) {
      case 'reply': {
        const seq = this.unwrap(line.seq);
        const sentAt = now - line.rttMs;
        this.reanchor(seq, sentAt);
        if (seq < this.nextSeq) return [{ seq, ok: true, sentAt, at: now, rttMs: line.rttMs, late: true }];
        // Replies come back in order on a LAN: earlier probes still unanswered were lost.
        const out = this.missesUpTo(seq - 1, now);
        out.push({ seq, ok: true, sentAt, at: now, rttMs: line.rttMs });
        this.nextSeq = seq + 1;
        return out;
      }
      case 'no-answer':
        this.reanchor(this.unwrap(line.seq) + 1, now);
        return [];
      case 'error':
        // An ICMP error for a probe (host unreachable) settles it at once.
        return line.seq === undefined ? [] : this.missesUpTo(this.unwrap(line.seq), now);
      case 'duplicate':
        return [];
    }
  }

  /** Settles every probe whose deadline has passed without a reply. */
  onTimer(now: number): ScheduledOutcome[] {
    const out: ScheduledOutcome[] = [];
    while (this.nextDeadline() <= now && out.length < maxMissesPerTick) {
      out.push({ seq: this.nextSeq, ok: false, sentAt: this.sendTime(this.nextSeq), at: now });
      this.nextSeq++;
    }
    return out;
  }
}

// Per-peer detection state machine. Pure: it sees probe outcomes (with their times) and nothing else.
// A peer is down after `failureThreshold` consecutive misses and up after `successThreshold` consecutive
// replies; it starts `unknown`, so the first verdict either way is a transition the caller reports.

export type Verdict = 'unknown' | 'up' | 'down';

export interface ProbeOutcome {
  ok: boolean;
  /** When the probe was sent (epoch ms); for a miss, the start of the silence. */
  sentAt: number;
  /** When the outcome became known (epoch ms). */
  at: number;
  rttMs?: number;
}

export interface Thresholds {
  failureThreshold: number;
  successThreshold: number;
}

export class PeerDetector {
  verdict: Verdict = 'unknown';
  misses = 0;
  successes = 0;
  /** Send time of the first miss of the current run of misses. */
  missingSince: number | undefined;
  lastRttMs: number | undefined;

  constructor(private thresholds: Thresholds) {}

  setThresholds(thresholds: Thresholds): void {
    this.thresholds = thresholds;
  }

  /** Feeds one outcome; returns the new verdict when it changed. */
  observe(outcome: ProbeOutcome): Verdict | undefined {
    if (outcome.ok) {
      this.successes++;
      this.misses = 0;
      this.missingSince = undefined;
      if (outcome.rttMs !== undefined) this.lastRttMs = outcome.rttMs;
      if (this.verdict !== 'up' && this.successes >= this.thresholds.successThreshold)
        return this.become('up');
      return undefined;
    }
    if (this.misses === 0) this.missingSince = outcome.sentAt;
    this.misses++;
    this.successes = 0;
    if (this.verdict !== 'down' && this.misses >= this.thresholds.failureThreshold)
      return this.become('down');
    return undefined;
  }

  /** Forgets all evidence (after the observer itself was cut off, old misses say nothing about the peer). */
  reset(): void {
    this.verdict = 'unknown';
    this.misses = 0;
    this.successes = 0;
    this.missingSince = undefined;
  }

  private become(verdict: Verdict): Verdict {
    this.verdict = verdict;
    return verdict;
  }
}

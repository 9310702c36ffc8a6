// Probes every watched peer with ONE long-lived `fping -l -i 0 -p <interval> -t <timeout> <addresses>`.
//
// Why fping: bench/monitor/prober-cost.ts measured the candidates Node can run without a native addon
// (Node has no raw ICMP socket), 8 peers at the default rate. fping sends to all peers in one burst
// (-i 0), so the replies come back together and the monitor wakes up about once per round instead of once
// per probe; it also enforces the probe timeout itself and prints "timed out" for each lost probe, so
// in steady state the monitor runs no per-probe timer. A streaming `ping` per peer costs several times
// more at the same rate, and a process per probe costs over ten times the budget.
//
// fping prints nothing for a probe it could not send (the observer's own link is down: "Network is
// unreachable"), so a peer whose line is overdue (its last probe's send + interval + timeout + slack)
// counts a miss: that is how the isolation rule sees all peers go missing when this node's link fails.
// An fping that prints nothing at all for a long time is restarted with backoff, and meanwhile one-shot
// `ping` package probes keep judging the peers (that package is loaded only then: it costs every
// monitor some 7 MB of memory otherwise).
import type { ChildProcess } from 'node:child_process';
import type { LevelLogger } from '../observability/json-lines-logger.js';
import { exponentialDelay } from '../util/backoff.js';
import type { ProbeOutcome } from './detector.js';
import { FpingOutputReader, type FpingLineSink } from './fping-output.js';
import { readChunks } from './pipe-reader.js';

// A builtin comes from process.getBuiltinModule, not `import`, to keep the monitor small (http-post.ts says why).
const { spawn } = process.getBuiltinModule('node:child_process');

export interface ProbeTarget {
  name: string;
  address: string;
}

export interface FpingProberOptions {
  targets: readonly ProbeTarget[];
  intervalMs: number;
  timeoutMs: number;
  clock: () => number;
  logger: LevelLogger;
  onOutcome: (name: string, outcome: ProbeOutcome) => void;
  /** Consecutive misses that make a peer down (default 1): when overdue lines must be checked. */
  failureThreshold?: number;
  fpingCommand?: string;
}

const minRestartDelayMs = 100;
const maxRestartDelayMs = 1000;
// One-shot probes spawn a process each: keep their rate modest while fping is down, and give each a
// generous timeout (a process start on a busy node can eat a short one; this path exists to avoid false
// misses).
const minFallbackPeriodMs = 250;
const minOneShotTimeoutMs = 250;
// An fping that ran this long without trouble resets the restart backoff.
const healthyRunMs = 10_000;
// Silence allowed before a fresh fping's first line: a start on a busy node can take this long.
const firstLineGraceMs = 1000;
// An fping silent about every peer for this long is restarted (it may be wedged; restarting is cheap).
const minSilentRestartMs = 2000;
// A timer callback that comes very late (suspended process) must not emit thousands of misses at once.
const maxMissesPerSettle = 1000;
// Keep at most this many of fping's other lines for the log when it exits.
const outputTailLines = 3;

interface TargetState {
  address: string;
  names: string[];
  /** The next probe number fping will report for this address. */
  nextSeq: number;
  /** Estimated send time of the last probe settled (epoch ms); undefined before the first line. */
  lastSentAt: number | undefined;
}

export class FpingProber implements FpingLineSink {
  private child: ChildProcess | undefined;
  private readonly targets = new Map<string, TargetState>();
  /** The targets in the order fping is given their addresses (the reader's target index). */
  private readonly order: TargetState[];
  /** The check for overdue lines while output flows: refreshed once a round, it never fires then. */
  private watchdog: NodeJS.Timeout | undefined;
  /** The check at an exact time, while output is late or missing. At most one of the two is armed. */
  private exactTimer: NodeJS.Timeout | undefined;
  /** When the armed check is due (epoch ms); Infinity when none is. */
  private checkDue = Infinity;
  private restartTimer: NodeJS.Timeout | undefined;
  private fallbackTimer: NodeJS.Timeout | undefined;
  private readonly fallbackInFlight = new Set<string>();
  private running = false;
  /** fping printed a probe line since it started: it is probing, and overdue lines count as misses. */
  private healthy = false;
  private restarts = 0;
  private spawnedAt = 0;
  private lastLineAt = 0;
  /** When the chunk being parsed was read. */
  private chunkAt = 0;
  private outputTail: string[] = [];
  private failureThreshold: number;

  constructor(private readonly options: FpingProberOptions) {
    this.failureThreshold = options.failureThreshold ?? 1;
    for (const t of options.targets) {
      const state = this.targets.get(t.address) ?? {
        address: t.address,
        names: [],
        nextSeq: 0,
        lastSentAt: undefined,
      };
      state.names.push(t.name);
      this.targets.set(t.address, state);
    }
    this.order = [...this.targets.values()];
  }

  /** A new failure threshold (the probes go on): the watchdog uses it from the next round. */
  setFailureThreshold(failureThreshold: number): void {
    this.failureThreshold = failureThreshold;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.running || this.targets.size === 0) return;
    this.running = true;
    this.spawnFping();
  }

  /** How late a probe's line may be beyond send + interval + timeout before it counts as a miss. */
  private get slackMs(): number {
    return Math.max(10, this.options.intervalMs / 2);
  }

  private get silentRestartMs(): number {
    return Math.max(minSilentRestartMs, 4 * (this.options.intervalMs + this.options.timeoutMs));
  }

  private spawnFping(): void {
    const { intervalMs, timeoutMs, logger } = this.options;
    const addresses = this.order.map((t) => t.address);
    const args = ['-l', '-i', '0', '-p', String(intervalMs), '-t', String(timeoutMs), ...addresses];
    const child = spawn(this.options.fpingCommand ?? 'fping', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LANG: 'C', LC_ALL: 'C' },
    });
    this.child = child;
    this.spawnedAt = this.lastLineAt = this.options.clock();
    this.outputTail = [];
    // fping numbers the probes of each run from 0.
    for (const state of this.targets.values()) {
      state.nextSeq = 0;
      state.lastSentAt = undefined;
    }
    const out = new FpingOutputReader(addresses, this);
    // stderr holds only fping's complaints: every line of it is remembered for the log.
    const err = new FpingOutputReader([], this);
    if (child.stdout)
      readChunks(child.stdout, (chunk) => {
        if (child !== this.child) return;
        const now = this.options.clock();
        this.chunkAt = now;
        out.push(chunk);
        this.afterOutput(now);
      });
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', (e) => {
      logger.error('cannot run fping', { error: e.message });
      this.onExit(child, null);
    });
    child.once('exit', (code) => this.onExit(child, code));
    this.armCheck(this.spawnedAt);
  }

  /** FpingLineSink: a line fping printed that is no probe result. */
  other(line: string): void {
    if (this.outputTail.length >= outputTailLines) this.outputTail.shift();
    this.outputTail.push(line);
  }

  /** FpingLineSink: a reply to probe `seq` of target number `target`. */
  reply(target: number, seq: number, rttMs: number): void {
    this.settle(this.order[target]!, seq, rttMs);
  }

  /** FpingLineSink: probe `seq` of target number `target` timed out. */
  timeout(target: number, seq: number): void {
    this.settle(this.order[target]!, seq, undefined);
  }

  /** One probe's line: `rttMs` undefined for a timeout. Lines of one chunk share its read time. */
  private settle(state: TargetState, seq: number, rttMs: number | undefined): void {
    const now = this.chunkAt;
    this.lastLineAt = now;
    if (!this.healthy) this.becomeHealthy();
    const { intervalMs, timeoutMs } = this.options;
    const ok = rttMs !== undefined;
    const sentAt = ok ? now - rttMs : now - timeoutMs;
    if (seq < state.nextSeq) {
      // Already counted as missed (its line was overdue): a reply still shows the peer is alive.
      if (ok) this.emit(state, { ok, sentAt, at: now, rttMs });
      return;
    }
    // fping reports every probe it sent, in order; probes it could not send leave a gap: misses.
    const gap = Math.min(seq - state.nextSeq, maxMissesPerSettle);
    for (let k = gap; k > 0; k--) this.emit(state, { ok: false, sentAt: sentAt - k * intervalMs, at: now });
    state.nextSeq = seq + 1;
    state.lastSentAt = sentAt;
    this.emit(state, ok ? { ok, sentAt, at: now, rttMs } : { ok, sentAt, at: now });
  }

  private emit(state: TargetState, outcome: ProbeOutcome): void {
    for (const name of state.names) this.options.onOutcome(name, outcome);
  }

  private deadlineOf(state: TargetState): number | undefined {
    if (state.lastSentAt === undefined) return undefined;
    return state.lastSentAt + this.options.intervalMs + this.options.timeoutMs + this.slackMs;
  }

  /** When the silence that restarts fping is reached (epoch ms). */
  private silenceDue(): number {
    return this.lastLineAt + (this.healthy ? this.silentRestartMs : firstLineGraceMs + this.silentRestartMs);
  }

  /** The earliest deadline of a peer's next line (epoch ms; Infinity before fping is healthy). */
  private firstDeadline(): number {
    let due = Infinity;
    if (!this.healthy) return due;
    for (const state of this.order) {
      const deadline = this.deadlineOf(state);
      if (deadline !== undefined && deadline < due) due = deadline;
    }
    return due;
  }

  /**
   * How long the watchdog waits after a complete round: failureThreshold intervals + slack. A round's
   * lines all come within the probe timeout of its sends, so the watchdog is then due no later than the
   * deadline of any peer's failureThreshold-th missing line, the first miss that can change a verdict.
   */
  private get quietMs(): number {
    return this.failureThreshold * this.options.intervalMs + this.slackMs;
  }

  /**
   * After each chunk of output. A timer that moves later every round wakes the process every round
   * (Node re-arms its timer list lazily: the old expiry still fires); so while output flows one
   * long-lived watchdog is refreshed instead, due when misses could first change a verdict. When that
   * is nearer (a round in progress, a late line) the check already armed stays if it is due no later,
   * which holds because deadlines only move later. A peer silent while the others answer is settled here.
   */
  private afterOutput(now: number): void {
    if (!this.running) return;
    let first = this.firstDeadline();
    if (first <= now) {
      this.settleOverdue(now);
      first = this.firstDeadline();
    }
    const due = Math.min(first + (this.failureThreshold - 1) * this.options.intervalMs, this.silenceDue());
    if (due - now >= this.quietMs) this.refreshWatchdog(now);
    else if (this.checkDue > due) this.armExact(due, now);
  }

  /** While output is missing: a check at the next deadline, unless one due no later is armed. */
  private armCheck(now: number): void {
    if (!this.running || !this.child) return;
    const due = Math.min(this.firstDeadline(), this.silenceDue());
    if (this.checkDue > due) this.armExact(due, now);
  }

  private refreshWatchdog(now: number): void {
    if (this.exactTimer) {
      clearTimeout(this.exactTimer);
      this.exactTimer = undefined;
    }
    if (this.watchdog) this.watchdog.refresh();
    else this.watchdog = setTimeout(() => this.onCheck(), this.quietMs);
    this.checkDue = now + this.quietMs;
  }

  private armExact(due: number, now: number): void {
    this.clearChecks();
    this.checkDue = due;
    this.exactTimer = setTimeout(
      () => {
        this.exactTimer = undefined;
        this.onCheck();
      },
      Math.max(0, due - now),
    );
  }

  private clearChecks(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    if (this.exactTimer) clearTimeout(this.exactTimer);
    this.watchdog = this.exactTimer = undefined;
    this.checkDue = Infinity;
  }

  private onCheck(): void {
    this.checkDue = Infinity;
    // setImmediate: fping output already waiting in the pipe is read first, so a line that came in time
    // is never counted as overdue because the timer fired before the read.
    setImmediate(() => this.onDeadline());
  }

  private onDeadline(): void {
    if (!this.running || !this.child) return;
    const now = this.options.clock();
    const silentFor = now - this.lastLineAt;
    if (silentFor >= (this.healthy ? this.silentRestartMs : firstLineGraceMs + this.silentRestartMs)) {
      this.options.logger.warn('fping went silent; restarting it', {
        silentMilliseconds: Math.round(silentFor),
        lastOutput: this.outputTail.join(' | '),
      });
      this.healthy = false;
      const child = this.child;
      this.child = undefined;
      if (child.exitCode === null) child.kill('SIGKILL');
      this.scheduleRestart();
      return;
    }
    if (this.healthy) this.settleOverdue(now);
    this.armCheck(now);
  }

  /**
   * Peers whose probe line is overdue: fping could not send (or lost) those probes. Settled round by
   * round across the peers: when several misses of every peer are due at once, the core must see them in
   * the order they happened, or the first peer would reach its threshold while the others show no miss
   * yet, and be blamed where the isolation rule applies.
   */
  private settleOverdue(now: number): void {
    const { intervalMs } = this.options;
    for (let n = 0; n < maxMissesPerSettle; n++) {
      let settled = false;
      for (const state of this.order) {
        const due = this.deadlineOf(state);
        if (due === undefined || due > now) continue;
        const sentAt = state.lastSentAt! + intervalMs;
        state.lastSentAt = sentAt;
        state.nextSeq++;
        this.emit(state, { ok: false, sentAt, at: now });
        settled = true;
      }
      if (!settled) return;
    }
  }

  private becomeHealthy(): void {
    this.healthy = true;
    if (this.fallbackTimer) clearTimeout(this.fallbackTimer);
    this.fallbackTimer = undefined;
  }

  private onExit(child: ChildProcess, code: number | null): void {
    if (child !== this.child) return;
    this.child = undefined;
    this.healthy = false;
    this.clearChecks();
    if (!this.running) return;
    this.options.logger.warn('fping exited; restarting it', {
      code,
      lastOutput: this.outputTail.join(' | '),
    });
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    if (!this.running || this.restartTimer) return;
    if (this.options.clock() - this.spawnedAt > healthyRunMs) this.restarts = 0;
    const delay = exponentialDelay(this.restarts + 1, minRestartDelayMs, maxRestartDelayMs);
    this.restarts++;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.running) this.spawnFping();
    }, delay);
    this.startFallback();
  }

  /** One-shot probes with the `ping` package while fping cannot vouch for its misses. */
  private startFallback(): void {
    if (this.fallbackTimer || this.healthy || !this.running) return;
    const tick = (): void => {
      this.fallbackTimer = undefined;
      if (!this.running || this.healthy) return;
      for (const [address, state] of this.targets) {
        if (!this.fallbackInFlight.has(address)) void this.confirmOnce(address, state);
      }
      this.fallbackTimer = setTimeout(tick, Math.max(minFallbackPeriodMs, this.options.intervalMs));
    };
    tick();
  }

  private async confirmOnce(address: string, state: TargetState): Promise<void> {
    this.fallbackInFlight.add(address);
    const sentAt = this.options.clock();
    try {
      const ping = (await import('ping')).default;
      const res = await ping.promise.probe(address, {
        timeout: Math.max(minOneShotTimeoutMs, this.options.timeoutMs) / 1000,
        min_reply: 1,
      });
      if (!this.running || this.healthy) return;
      const outcome: ProbeOutcome = { ok: res.alive, sentAt, at: this.options.clock() };
      if (res.alive && typeof res.time === 'number') outcome.rttMs = res.time;
      for (const name of state.names) this.options.onOutcome(name, outcome);
    } catch (err) {
      this.options.logger.warn('one-shot ping failed to run', { address, error: (err as Error).message });
    } finally {
      this.fallbackInFlight.delete(address);
    }
  }

  /** Stops probing and waits (bounded) for fping to exit. */
  async stop(): Promise<void> {
    this.running = false;
    for (const t of [this.restartTimer, this.fallbackTimer]) if (t) clearTimeout(t);
    this.restartTimer = this.fallbackTimer = undefined;
    this.clearChecks();
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 500);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}

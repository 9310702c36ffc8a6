// One long-lived prober per watched peer: a streaming `ping -n -O -l 2 -i <interval> <address>` whose lines
// ProbeSchedule turns into per-probe outcomes with our own timeout.
//
// Why a streaming system ping: bench/monitor/prober-cost.ts measured the candidates on this 2-core
// machine, 8 peers at 10 Hz for 20 s each, CPU of the Node process plus its ping children:
//   streaming `ping -O` per peer (this file)   1.8 % of one core   (node 1.4, pings 0.4)
//   spawn `ping -c 1` per probe                17.6 %              (node 5.7, pings 11.9)
//   `ping` package probe per probe              17.2 %              (node 6.5, pings 10.7)
// (bench/monitor/detection.ts measures the whole monitor: about 1.7 % once V8 has warmed up.)
// Node has no raw or ICMP sockets without a native addon, so every candidate runs the system ping; a
// fork/exec per probe costs ten times the 2 % budget, a streaming ping costs one pipe read per probe.
// The `ping` package still has a job: when the streaming ping is not running or has gone silent (so its
// misses prove nothing), the prober falls back to one-shot `ping.promise.probe` confirmations.
//
// `-l 2` (preload 2) matters: iputils wakes up a few ms late for every probe and, with the default
// preload of 1, loses that time, so `-i 0.02` really probes every ~24.5 ms and `-i 0.1` every ~104.5 ms
// (measured here; the drift depends on load, so correcting -i does not hold). With a token bucket of two
// probes ping catches up, and the average cadence is the configured one; sends then jitter by a few ms,
// which ProbeSchedule learns and allows for.
import { spawn, type ChildProcess } from 'node:child_process';
import ping from 'ping';
import type { Logger } from '../observability/logger.js';
import type { ProbeOutcome } from './detector.js';
import { LineSplitter, parsePingLine } from './ping-output.js';
import { ProbeSchedule, type ScheduledOutcome } from './probe-schedule.js';

export interface ProberOptions {
  address: string;
  intervalMs: number;
  timeoutMs: number;
  clock: () => number;
  logger: Logger;
  onOutcome: (outcome: ProbeOutcome) => void;
  pingCommand?: string;
}

const minRestartDelayMs = 100;
const maxRestartDelayMs = 1000;
// One-shot probes spawn a process each: keep their rate modest while the streaming ping is down, and give
// each a generous timeout (a process start on a busy node can eat a short one, and this path exists to
// avoid false misses).
const minFallbackPeriodMs = 250;
const minOneShotTimeoutMs = 250;
// A ping that ran this long without trouble resets the restart backoff.
const healthyRunMs = 10_000;
// Time allowed for exec + socket setup before ping's first deadline.
const startupGraceMs = 50;
// Silence allowed before a fresh ping's first line counts as a stall.
const firstLineGraceMs = 1000;

export class StreamingProber {
  private child: ChildProcess | undefined;
  private schedule: ProbeSchedule | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  /** When the armed deadline timer fires, its delay, and whether it is a re-check of a due probe. */
  private deadlineArmedFor = 0;
  private deadlineDelay = -1;
  private deadlineRecheck = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private fallbackTimer: NodeJS.Timeout | undefined;
  private fallbackInFlight = false;
  private running = false;
  private restarts = 0;
  private spawnedAt = 0;
  /** Last lines ping printed other than replies and "no answer yet", for the log when it exits. */
  private outputTail: string[] = [];
  /** Streaming ping is running and has printed recently: its misses count. */
  private healthy = false;

  constructor(private readonly options: ProberOptions) {}

  get address(): string {
    return this.options.address;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.spawnPing();
  }

  private get stallLimitMs(): number {
    const cadence = this.schedule?.cadenceMs ?? this.options.intervalMs;
    // Until its first line a fresh process gets a second more: a start on a busy node can take that long.
    const starting = this.healthy ? 0 : firstLineGraceMs;
    return 2 * cadence + this.options.timeoutMs + startupGraceMs + starting;
  }

  private spawnPing(): void {
    const { address, clock, logger } = this.options;
    const seconds = (this.options.intervalMs / 1000).toFixed(3);
    const child = spawn(this.options.pingCommand ?? 'ping', ['-n', '-O', '-l', '2', '-i', seconds, address], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LANG: 'C', LC_ALL: 'C' },
    });
    this.child = child;
    this.spawnedAt = clock();
    this.outputTail = [];
    const schedule = new ProbeSchedule(
      this.options.intervalMs,
      this.options.timeoutMs,
      this.spawnedAt,
      startupGraceMs,
    );
    this.schedule = schedule;
    const out = new LineSplitter();
    const err = new LineSplitter();
    // Buffers decoded as latin1 (ping's output is ASCII): cheaper than a utf8 StringDecoder per chunk.
    child.stdout?.on('data', (chunk: Buffer) => {
      for (const line of out.push(chunk.toString('latin1'))) this.onLine(child, line);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      for (const line of err.push(chunk.toString('latin1'))) this.onLine(child, line);
    });
    child.once('error', (e) => {
      logger.error('cannot run ping', { address, error: e.message });
      this.onExit(child, null);
    });
    child.once('exit', (code) => this.onExit(child, code));
    this.armDeadline();
  }

  private onLine(child: ChildProcess, line: string): void {
    if (child !== this.child || !this.schedule) return;
    const parsed = parsePingLine(line);
    if (parsed.kind !== 'reply' && parsed.kind !== 'no-answer') {
      if (this.outputTail.length >= 3) this.outputTail.shift();
      this.outputTail.push(line);
    }
    const now = this.options.clock();
    const outcomes = this.schedule.onLine(parsed, now);
    // Only a line about a probe shows ping is probing (a startup error such as "connect: Network is
    // unreachable" comes just before it exits).
    if (
      !this.healthy &&
      (parsed.kind === 'reply' ||
        parsed.kind === 'no-answer' ||
        (parsed.kind === 'error' && parsed.seq !== undefined))
    ) {
      this.becomeHealthy();
    }
    this.emit(outcomes);
    // A reply moves the next deadline one probe later. Re-arming now (a few list operations) is cheaper
    // than letting the old timer wake the process up for nothing, so in steady state the deadline timer
    // never fires and the only wake-up per probe is ping's line.
    if (!this.deadlineTimer || Math.abs(this.schedule.nextDeadline() - this.deadlineArmedFor) > 0.5)
      this.armDeadline();
  }

  private emit(outcomes: ScheduledOutcome[]): void {
    for (const o of outcomes) {
      const outcome: ProbeOutcome = { ok: o.ok, sentAt: o.sentAt, at: o.at };
      if (o.rttMs !== undefined) outcome.rttMs = o.rttMs;
      this.options.onOutcome(outcome);
    }
  }

  private armDeadline(recheckMs?: number): void {
    if (!this.running || !this.schedule) {
      this.clearDeadline();
      return;
    }
    const now = this.options.clock();
    const delay = recheckMs ?? Math.max(0, this.schedule.nextDeadline() - now);
    this.deadlineArmedFor = now + delay;
    this.deadlineRecheck = recheckMs !== undefined;
    // In steady state every reply pushes the deadline by the same amount: refresh() re-arms the existing
    // timer without allocating a new one.
    if (this.deadlineTimer && Math.abs(delay - this.deadlineDelay) < 0.5) {
      this.deadlineTimer.refresh();
      return;
    }
    this.clearDeadline();
    this.deadlineDelay = delay;
    this.deadlineTimer = setTimeout(() => this.onDeadlineTimer(), delay);
  }

  private clearDeadline(): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
  }

  private onDeadlineTimer(): void {
    this.deadlineTimer = undefined;
    if (!this.schedule) return;
    // Fired early (the deadline moved): just re-arm.
    if (!this.deadlineRecheck && this.schedule.nextDeadline() > this.options.clock() + 0.5) {
      this.armDeadline();
      return;
    }
    // setImmediate: ping output already waiting in the pipe is read first, so a reply that arrived in
    // time is never counted as a miss because our timer fired before the read.
    setImmediate(() => this.onDeadline());
  }

  private onDeadline(): void {
    const schedule = this.schedule;
    if (!this.running || !schedule) return;
    const now = this.options.clock();
    const silentFor = now - schedule.lastLineAt;
    if (silentFor > this.stallLimitMs) {
      // ping printed nothing for longer than it ever should (it prints at least one line per probe with
      // -O): its silence says nothing about the peer. Restart it; meanwhile confirm with one-shot probes.
      this.options.logger.warn('ping went silent; restarting it', { address: this.options.address });
      this.healthy = false;
      this.killChild();
      this.scheduleRestart();
      return;
    }
    // A miss counts only while ping proves it is still sending: a live ping printed a line (a reply or
    // "no answer yet") within one cadence + timeout. Otherwise look again shortly.
    const slack = Math.max(10, schedule.cadenceMs * 0.25);
    if (silentFor > schedule.cadenceMs + this.options.timeoutMs + slack) {
      this.armDeadline(slack);
      return;
    }
    if (this.healthy) this.emit(schedule.onTimer(now));
    this.armDeadline();
  }

  private becomeHealthy(): void {
    this.healthy = true;
    if (this.fallbackTimer) clearTimeout(this.fallbackTimer);
    this.fallbackTimer = undefined;
  }

  private onExit(child: ChildProcess, code: number | null): void {
    if (child !== this.child) return;
    this.child = undefined;
    this.schedule = undefined;
    this.healthy = false;
    if (!this.running) return;
    this.options.logger.warn('ping exited; restarting it', {
      address: this.options.address,
      code,
      lastOutput: this.outputTail.join(' | '),
    });
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    if (!this.running || this.restartTimer) return;
    if (this.options.clock() - this.spawnedAt > healthyRunMs) this.restarts = 0;
    const delay = Math.min(maxRestartDelayMs, minRestartDelayMs * 2 ** this.restarts);
    this.restarts++;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.running) this.spawnPing();
    }, delay);
    this.startFallback();
  }

  /** One-shot probes with the `ping` package while the streaming ping cannot vouch for its misses. */
  private startFallback(): void {
    if (this.fallbackTimer || this.healthy || !this.running) return;
    const tick = (): void => {
      this.fallbackTimer = undefined;
      if (!this.running || this.healthy) return;
      if (!this.fallbackInFlight) void this.confirmOnce();
      this.fallbackTimer = setTimeout(tick, Math.max(minFallbackPeriodMs, this.options.intervalMs));
    };
    tick();
  }

  private async confirmOnce(): Promise<void> {
    this.fallbackInFlight = true;
    const sentAt = this.options.clock();
    try {
      const res = await ping.promise.probe(this.options.address, {
        timeout: Math.max(minOneShotTimeoutMs, this.options.timeoutMs) / 1000,
        min_reply: 1,
      });
      if (!this.running || this.healthy) return;
      const outcome: ProbeOutcome = { ok: res.alive, sentAt, at: this.options.clock() };
      if (res.alive && typeof res.time === 'number') outcome.rttMs = res.time;
      this.options.onOutcome(outcome);
    } catch (err) {
      this.options.logger.warn('one-shot ping failed to run', {
        address: this.options.address,
        error: (err as Error).message,
      });
    } finally {
      this.fallbackInFlight = false;
    }
  }

  private killChild(): void {
    const child = this.child;
    this.child = undefined;
    this.schedule = undefined;
    if (child && child.exitCode === null) child.kill('SIGKILL');
  }

  /** Stops probing and waits (bounded) for the ping process to exit. */
  async stop(): Promise<void> {
    this.running = false;
    for (const t of [this.restartTimer, this.fallbackTimer]) if (t) clearTimeout(t);
    this.restartTimer = this.fallbackTimer = undefined;
    this.clearDeadline();
    const child = this.child;
    this.child = undefined;
    this.schedule = undefined;
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

// Gives memory back to the system after a burst. V8 (Node 24) keeps the pages a collection frees in a
// pool and returns them only in a memory-reducing collection, which its memory reducer starts only while
// the process allocates almost nothing: a process that keeps receiving watch events never qualifies. So
// after a burst (start-up lists, a thousand HostHealths created, a storm) RSS stays at its peak: 400 MB
// for a 60 MB live heap at a thousand nodes. This runs one memory-reducing collection when RSS exceeds
// what the heap and external memory account for by a margin, when the caller says it is quiet, and at
// most once per interval, so its pause (100-200 ms at a thousand nodes) is rare and never in a burst.
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface MemoryUsage {
  rss: number;
  heapUsed: number;
  external: number;
}

export interface TrimPolicy {
  /** RSS beyond the live heap and external memory ("waste") that is tolerated, in bytes. */
  slackBytes: number;
  /** Growth of the waste since the last trim that is tolerated: what a trim cannot give back (the
   * binary's code, malloc's own heap) must not make it trim again and again for nothing. */
  growthBytes: number;
  /** Shortest time between two trims. */
  minIntervalMs: number;
}

const MB = 1024 * 1024;
export const defaultTrimPolicy: TrimPolicy = {
  slackBytes: 160 * MB,
  growthBytes: 96 * MB,
  minIntervalMs: 5 * 60_000,
};

/** RSS that neither the live heap nor external memory (buffers) accounts for. */
export function wasteBytes(usage: MemoryUsage): number {
  return usage.rss - usage.heapUsed - usage.external;
}

/** Whether a memory-reducing collection is worth its pause now, given the last one (when and the waste
 * it left). */
export function shouldTrim(
  usage: MemoryUsage,
  last: { at: number; waste: number } | undefined,
  now: number,
  policy: TrimPolicy = defaultTrimPolicy,
): boolean {
  if (last !== undefined && now - last.at < policy.minIntervalMs) return false;
  return wasteBytes(usage) > Math.max(policy.slackBytes, (last?.waste ?? 0) + policy.growthBytes);
}

type GcFunction = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

let gcFunction: GcFunction | undefined;

/** V8's own collection entry point, taken without exposing `gc` to the program's global scope. */
function memoryReducingGc(): GcFunction {
  if (!gcFunction) {
    v8.setFlagsFromString('--expose-gc');
    try {
      gcFunction = runInNewContext('gc') as GcFunction;
    } finally {
      v8.setFlagsFromString('--no-expose-gc');
    }
  }
  return gcFunction;
}

/** One memory-reducing collection ("last resort": also releases the pooled pages); returns its pause. */
export function trimMemory(): number {
  const started = performance.now();
  memoryReducingGc()({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  return performance.now() - started;
}

export interface MemoryTrimmerOptions {
  /** False while work that must not pause runs (a fault being handled). */
  quiet: () => boolean;
  onTrim?: (before: MemoryUsage, after: MemoryUsage, pauseMs: number) => void;
  checkEveryMs?: number;
  policy?: TrimPolicy;
}

/** Looks now and then whether to trim; the timer does not keep the process alive. */
export class MemoryTrimmer {
  private timer: NodeJS.Timeout | undefined;
  private last: { at: number; waste: number } | undefined;

  constructor(private readonly options: MemoryTrimmerOptions) {}

  start(): void {
    this.stop();
    this.timer = setInterval(() => this.check(), this.options.checkEveryMs ?? 30_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Trims when it is worth it and quiet; returns whether it did. */
  check(): boolean {
    const now = Date.now();
    const before = process.memoryUsage();
    if (!shouldTrim(before, this.last, now, this.options.policy) || !this.options.quiet()) return false;
    const pauseMs = trimMemory();
    const after = process.memoryUsage();
    this.last = { at: now, waste: wasteBytes(after) };
    this.options.onTrim?.(before, after, pauseMs);
    return true;
  }
}

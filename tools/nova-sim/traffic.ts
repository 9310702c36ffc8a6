// Cross-cutting behaviour of every simulated call: the call record tests assert on, per-call latency,
// and deterministic failure injection (every Nth call, or a seeded fraction of calls).
import type { NextFunction, Request, Response } from 'express';
import { novaError } from './errors.js';
import type { FailureInjection } from './options.js';

export interface SimCall {
  method: string;
  /** Path without the query string. */
  path: string;
  query: string;
  status: number;
  startedAtMs: number;
  durationMs: number;
  /** Microversion the call was served at (Nova calls that passed the version check). */
  microversion?: string;
  /** True when failure injection answered instead of the API. */
  injected: boolean;
}

/** mulberry32: a tiny seeded PRNG, so a "random" 50% failure pattern is the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function recordCalls(calls: SimCall[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = performance.now();
    // Sub-millisecond epoch time, so tests can compute how many calls overlapped.
    const startedAtMs = performance.timeOrigin + started;
    const [path = '', query = ''] = req.originalUrl.split('?', 2);
    let recorded = false;
    const record = (): void => {
      if (recorded) return;
      recorded = true;
      const version = res.locals.version as { major: number; minor: number } | undefined;
      calls.push({
        method: req.method,
        path,
        query,
        // A dropped connection has no status.
        status: res.headersSent ? res.statusCode : 0,
        startedAtMs,
        durationMs: performance.now() - started,
        ...(version !== undefined ? { microversion: `${version.major}.${version.minor}` } : {}),
        injected: res.locals.injected === true,
      });
    };
    res.on('finish', record);
    res.on('close', record);
    next();
  };
}

export function addLatency(latencyMs: () => number) {
  return (_req: Request, _res: Response, next: NextFunction): void => {
    const delay = latencyMs();
    if (delay <= 0) {
      next();
      return;
    }
    setTimeout(next, delay);
  };
}

export function injectFailures(config: () => FailureInjection | undefined) {
  let eligibleCalls = 0;
  let counted: FailureInjection | undefined;
  let random: (() => number) | undefined;
  let randomSeed: number | undefined;
  return (req: Request, res: Response, next: NextFunction): void => {
    const failures = config();
    if (failures === undefined) {
      next();
      return;
    }
    // A new injection counts its calls from one.
    if (counted !== failures) {
      counted = failures;
      eligibleCalls = 0;
    }
    const isKeystone = req.path.startsWith('/identity');
    if ((failures.scope ?? 'nova') === 'nova' && isKeystone) {
      next();
      return;
    }
    if (failures.pathPattern !== undefined && !failures.pathPattern.test(req.path)) {
      next();
      return;
    }
    eligibleCalls++;
    let fail = false;
    if (failures.everyNth !== undefined && failures.everyNth > 0)
      fail = eligibleCalls % failures.everyNth === 0;
    if (failures.firstCalls !== undefined) fail = eligibleCalls <= failures.firstCalls;
    if (failures.ratio !== undefined) {
      const seed = failures.seed ?? 1;
      if (random === undefined || randomSeed !== seed) {
        random = seededRandom(seed);
        randomSeed = seed;
      }
      fail = random() < failures.ratio;
    }
    if (!fail) {
      next();
      return;
    }
    res.locals.injected = true;
    if (failures.mode === 'reset') {
      req.socket.destroy();
      return;
    }
    const status = failures.status ?? 503;
    if (failures.retryAfter !== undefined && (status === 429 || status === 503))
      res.set('Retry-After', failures.retryAfter);
    if (isKeystone)
      res.status(status).json({ error: { code: status, title: 'Error', message: 'injected failure' } });
    else novaError(res, status, 'injected failure');
  };
}

// The inspector's HTTP endpoint: POST and PUT /events in Doctor's formats. Every failure is an answer
// with a message naming the problem (400 bad field, 401/403 credentials, 413 too large, 429 too often,
// 503 busy or not the leader); nothing a client sends can crash the process or half-apply a batch.
// Refusal is cheap: credentials are checked from the headers before a byte of the body is read, and a
// refused request closes its connection instead of draining the body.
import express from 'express';
import type { Server } from 'node:http';
import type { HostEvent } from '../api/events.js';
import { attributeEvents } from './attribution.js';
import { parseEventsJson } from './parse-events.js';
import type { Logger } from '../observability/logger.js';
import type { Authenticator, ReporterIdentity } from './authenticator.js';
import { inspectorLimitDefaults, type InspectorLimits } from './limits.js';
import { KeyedRateLimiter } from './rate-limit.js';
import { errorText } from '../util/error-text.js';
import { createIntakeMetrics, reasonOfStatus, type IntakeMetrics, type RefusalReason } from './metrics.js';

export interface EventSink {
  /** Whether this replica acts on reports now (the leader); others answer 503 so monitors retry. */
  accepting(): boolean;
  /** Applies a batch; resolves once the decisions it caused are recorded where a new leader finds them. */
  accept(events: HostEvent[], receivedAt: number, identity: ReporterIdentity): Promise<void> | void;
}

export interface InspectorAppOptions extends Partial<InspectorLimits> {
  authenticator: Authenticator;
  sink: EventSink;
  log: Logger;
  /** Longest wait for a batch's decisions to be recorded before answering 503 (the monitor retries). */
  recordTimeoutMs?: number;
  now?: () => number;
  metrics?: IntakeMetrics;
}

/** Rejects when `promise` has not settled within `ms`. */
async function within(promise: Promise<void> | void, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not recorded within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

interface Locals {
  identity: ReporterIdentity;
  receivedAt: number;
}

/** Answers and closes the connection: an unread body is not worth reading. */
function refuse(res: express.Response, status: number, error: string, reason?: RefusalReason): void {
  if (reason !== undefined) res.locals.refusal = reason;
  res.set('Connection', 'close').status(status).json({ error });
}

export function createInspectorApp(options: InspectorAppOptions): express.Express {
  const { log, sink } = options;
  const limits: InspectorLimits = { ...inspectorLimitDefaults, ...definedOnly(options) };
  const now = options.now ?? Date.now;
  const perReporter = new KeyedRateLimiter({
    ratePerSecond: limits.requestsPerSecond,
    burst: limits.requestBurst,
    now,
  });
  let inFlight = 0;
  const metrics = options.metrics ?? createIntakeMetrics();
  const app = express();
  app.disable('x-powered-by');
  // No ETag: answers to reports are never cached, and express would hash every one of them.
  app.set('etag', false);

  // One count per answer, from the reason its check named (or its status): off the report's path.
  app.use('/events', (_req, res, next) => {
    res.once('finish', () => {
      if (res.statusCode === 200) metrics.accepted.inc();
      else
        metrics.refused.inc({
          reason: (res.locals.refusal as RefusalReason | undefined) ?? reasonOfStatus(res.statusCode),
        });
    });
    next();
  });

  app.all('/events', (req, res, next) => {
    if (req.method !== 'POST' && req.method !== 'PUT') {
      res.set('Allow', 'POST, PUT');
      refuse(res, 405, 'use POST or PUT', 'method');
      return;
    }
    if (inFlight >= limits.maxConcurrentRequests) {
      res.set('Retry-After', '1');
      refuse(res, 503, `more than ${limits.maxConcurrentRequests} reports in progress; retry`, 'busy');
      return;
    }
    inFlight++;
    res.once('close', () => inFlight--);
    next();
  });

  // Authenticate from the headers alone.
  app.all('/events', (req, res, next) => {
    const receivedAt = now();
    options.authenticator.authenticate(req.headers).then(
      (auth) => {
        if (!auth.ok) {
          log.warn('report refused', {
            status: auth.status,
            error: auth.error,
            remote: req.socket.remoteAddress,
          });
          refuse(res, auth.status, auth.error, auth.status === 401 ? 'unauthenticated' : 'forbidden');
          return;
        }
        const identity = auth.identity;
        const key = identity.observer ?? `${identity.name}@${req.socket.remoteAddress ?? ''}`;
        if (!perReporter.take(key)) {
          res.set('Retry-After', '1');
          refuse(
            res,
            429,
            `more than ${limits.requestsPerSecond} reports per second from ${identity.name}`,
            'rate_limited',
          );
          return;
        }
        if (!sink.accepting()) {
          refuse(
            res,
            503,
            'this replica is not the leader; retry (the Service routes to the leader)',
            'not_leader',
          );
          return;
        }
        const locals: Locals = { identity, receivedAt };
        res.locals.report = locals;
        next();
      },
      (err: unknown) => next(err),
    );
  });

  // Read the body as text whatever its Content-Type: Doctor's monitors are not all careful with headers.
  app.all('/events', express.text({ type: () => true, limit: limits.maxBodyBytes }));

  app.all('/events', (req, res) => {
    const { identity, receivedAt } = res.locals.report as Locals;
    const parsed = parseEventsJson(typeof req.body === 'string' ? req.body : '', {
      maxEvents: limits.maxEvents,
      now: receivedAt,
      maxFutureSkewMs: limits.maxFutureSkewMs,
    });
    if (!parsed.ok) {
      res.status(parsed.status).json({ error: parsed.error });
      return;
    }
    const attributed = attributeEvents(parsed.events, identity.observer);
    if (!attributed.ok) {
      log.warn('report refused', { status: 403, error: attributed.error, reporter: identity.name });
      res.locals.refusal = 'misattributed';
      res.status(403).json({ error: attributed.error });
      return;
    }
    for (const warning of parsed.warnings) log.warn('report warning', { warning, reporter: identity.name });
    // 200 only once the batch's decisions (a host declared Down) are in HostHealth status: answered
    // earlier, a leader killed in between would lose a report the monitor will not send again.
    within(sink.accept(attributed.events, receivedAt, identity), options.recordTimeoutMs ?? 10_000).then(
      () => res.status(200).json({ accepted: attributed.events.length }),
      (err: unknown) => {
        const reason = errorText(err);
        log.warn('report applied but its decisions were not recorded; answering 503', { reason });
        res.locals.refusal = 'not_recorded';
        res.status(503).json({ error: `the report's decisions could not be recorded (${reason}); retry` });
      },
    );
  });

  // body-parser failures (oversized, bad encoding) and anything unexpected arrive here.
  app.use(
    (
      err: { status?: number; type?: string; message?: string },
      _req: express.Request,
      res: express.Response,
      next: express.NextFunction,
    ) => {
      if (res.headersSent) return next(err);
      if (err.type === 'entity.too.large') {
        refuse(res, 413, `body larger than ${limits.maxBodyBytes} bytes`, 'too_large');
        return;
      }
      const client = err.status !== undefined && err.status >= 400 && err.status < 500;
      if (!client) log.error('report handling failed', { error: err.message ?? 'unknown error' });
      refuse(
        res,
        client ? err.status! : 500,
        client ? (err.message ?? 'bad request') : 'internal error; the report was not applied',
      );
    },
  );
  return app;
}

/** Connection-level bounds for the server the app listens on: open connections and slow clients. */
export function hardenInspectorServer(server: Server, limits: Partial<InspectorLimits> = {}): void {
  const merged = { ...inspectorLimitDefaults, ...definedOnly(limits) };
  server.maxConnections = merged.maxConnections;
  server.headersTimeout = merged.requestTimeoutMs;
  server.requestTimeout = merged.requestTimeoutMs;
}

function definedOnly(options: Partial<InspectorLimits>): Partial<InspectorLimits> {
  const out: Partial<InspectorLimits> = {};
  for (const key of Object.keys(inspectorLimitDefaults) as (keyof InspectorLimits)[]) {
    if (options[key] !== undefined) out[key] = options[key];
  }
  return out;
}

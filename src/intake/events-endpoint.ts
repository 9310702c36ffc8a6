// POST and PUT /events on plain node:http: the path every monitor heartbeat takes, so it does only what
// the guards need (no router, no response helpers). Every failure is an answer with a message naming the
// problem (400 bad field, 401/403 credentials, 413 too large, 429 too often, 503 busy or not the
// leader); nothing a client sends can crash the process or half-apply a batch. Refusal is cheap:
// credentials are checked from the headers before a byte of the body is read, and a refused request
// closes its connection instead of draining the body.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { HostEvent } from '../api/events.js';
import { attributeEvents } from './attribution.js';
import { parseEventsJson } from './parse-events.js';
import type { Logger } from '../observability/logger.js';
import type { Authenticator, ReporterIdentity } from './authenticator.js';
import type { InspectorLimits } from './limits.js';
import { KeyedRateLimiter } from './rate-limit.js';
import { errorText } from '../util/error-text.js';
import { createTextReader, type BodyError } from './read-text.js';
import { reasonOfStatus, type IntakeMetrics, type RefusalReason } from './metrics.js';

export interface EventSink {
  /** Whether this replica acts on reports now (the leader); others answer 503 so monitors retry. */
  accepting(): boolean;
  /**
   * Applies a batch. A promise resolves once the decisions it caused are recorded where a new leader
   * finds them; nothing returned means there was nothing to record (the answer need not wait).
   */
  accept(events: HostEvent[], receivedAt: number, identity: ReporterIdentity): Promise<void> | void;
}

export interface EventsEndpointOptions {
  authenticator: Authenticator;
  sink: EventSink;
  log: Logger;
  limits: InspectorLimits;
  recordTimeoutMs: number;
  now: () => number;
  metrics: IntakeMetrics;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const jsonType = 'application/json; charset=utf-8';

/** Rejects when `promise` has not settled within `ms`. */
async function within(promise: Promise<void>, ms: number): Promise<void> {
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

/** True for the paths express would route to `/events` (any case, one optional trailing slash). */
export function isEventsPath(url: string | undefined): boolean {
  if (url === undefined) return false;
  const query = url.indexOf('?');
  const path = (query === -1 ? url : url.slice(0, query)).toLowerCase();
  return path === '/events' || path === '/events/';
}

export function createEventsHandler(options: EventsEndpointOptions): Handler {
  const { log, sink, limits, metrics, now } = options;
  const perReporter = new KeyedRateLimiter({
    ratePerSecond: limits.requestsPerSecond,
    burst: limits.requestBurst,
    now,
  });
  const readText = createTextReader(limits.maxBodyBytes);
  let inFlight = 0;

  /** One write: status line, headers and body together. Counted here, by the reason its check named. */
  const answer = (
    res: ServerResponse,
    status: number,
    body: string,
    reason?: RefusalReason,
    headers: OutgoingHttpHeaders = {},
  ): void => {
    if (res.headersSent) return;
    if (status === 200) metrics.accepted.inc();
    else metrics.refused.inc({ reason: reason ?? reasonOfStatus(status) });
    res.writeHead(status, {
      ...headers,
      'Content-Type': jsonType,
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
  };
  /** Answers and closes the connection: an unread body is not worth reading. */
  const refuse = (
    res: ServerResponse,
    status: number,
    error: string,
    reason?: RefusalReason,
    headers: OutgoingHttpHeaders = {},
  ): void => answer(res, status, JSON.stringify({ error }), reason, { ...headers, Connection: 'close' });

  /** body-parser failures (oversized, bad encoding) and anything unexpected. */
  const failed = (res: ServerResponse, err: BodyError): void => {
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
  };

  const apply = (res: ServerResponse, text: string, identity: ReporterIdentity, receivedAt: number): void => {
    const parsed = parseEventsJson(text, {
      maxEvents: limits.maxEvents,
      now: receivedAt,
      maxFutureSkewMs: limits.maxFutureSkewMs,
    });
    if (!parsed.ok) {
      answer(res, parsed.status, JSON.stringify({ error: parsed.error }));
      return;
    }
    const attributed = attributeEvents(parsed.events, identity.observer);
    if (!attributed.ok) {
      log.warn('report refused', { status: 403, error: attributed.error, reporter: identity.name });
      answer(res, 403, JSON.stringify({ error: attributed.error }), 'misattributed');
      return;
    }
    for (const warning of parsed.warnings) log.warn('report warning', { warning, reporter: identity.name });
    const accepted = `{"accepted":${attributed.events.length}}`;
    // 200 only once the batch's decisions (a host declared Down) are in HostHealth status: answered
    // earlier, a leader killed in between would lose a report the monitor will not send again.
    const recorded = sink.accept(attributed.events, receivedAt, identity);
    if (recorded === undefined) {
      answer(res, 200, accepted);
      return;
    }
    within(recorded, options.recordTimeoutMs).then(
      () => answer(res, 200, accepted),
      (err: unknown) => {
        const reason = errorText(err);
        log.warn('report applied but its decisions were not recorded; answering 503', { reason });
        answer(
          res,
          503,
          JSON.stringify({ error: `the report's decisions could not be recorded (${reason}); retry` }),
          'not_recorded',
        );
      },
    );
  };

  return (req, res) => {
    if (req.method !== 'POST' && req.method !== 'PUT') {
      refuse(res, 405, 'use POST or PUT', 'method', { Allow: 'POST, PUT' });
      return;
    }
    if (inFlight >= limits.maxConcurrentRequests) {
      refuse(res, 503, `more than ${limits.maxConcurrentRequests} reports in progress; retry`, 'busy', {
        'Retry-After': '1',
      });
      return;
    }
    inFlight++;
    res.once('close', () => inFlight--);
    // Authenticate from the headers alone.
    const receivedAt = now();
    options.authenticator
      .authenticate(req.headers)
      .then((auth) => {
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
          refuse(
            res,
            429,
            `more than ${limits.requestsPerSecond} reports per second from ${identity.name}`,
            'rate_limited',
            { 'Retry-After': '1' },
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
        readText(req, res, (err, text) => {
          if (err !== undefined) return failed(res, err);
          // Called from a stream's end: a throw here would not come back to any handler.
          try {
            apply(res, text, identity, receivedAt);
          } catch (thrown) {
            failed(res, { message: errorText(thrown) });
          }
        });
      })
      .catch((err: unknown) => failed(res, err as BodyError));
  };
}

// The inspector's HTTP endpoint: POST and PUT /events in Doctor's formats. Every failure is an answer
// with a message naming the problem (400 bad field, 401/403 credentials, 413 too large, 503 not the
// leader); nothing a client sends can crash the process or half-apply a batch.
import express from 'express';
import type { HostEvent } from '../../api/events.js';
import { parseEventsJson } from '../../inspector/parse-events.js';
import type { Logger } from '../../observability/logger.js';
import type { Authenticator, ReporterIdentity } from './authenticator.js';

export interface EventSink {
  /** Whether this replica acts on reports now (the leader); others answer 503 so monitors retry. */
  accepting(): boolean;
  /** Applies a batch; resolves once the decisions it caused are recorded where a new leader finds them. */
  accept(events: HostEvent[], receivedAt: number, identity: ReporterIdentity): Promise<void> | void;
}

export interface InspectorAppOptions {
  authenticator: Authenticator;
  sink: EventSink;
  log: Logger;
  maxBodyBytes?: number;
  maxEvents?: number;
  /** Longest wait for a batch's decisions to be recorded before answering 503 (the monitor retries). */
  recordTimeoutMs?: number;
  now?: () => number;
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

/** A monitor may only speak for its own node: as the observer of peers, or about itself. */
export function foreignEvent(events: HostEvent[], identity: ReporterIdentity): string | undefined {
  if (identity.kind !== 'monitor' || !identity.node) return undefined;
  for (const [index, event] of events.entries()) {
    const speaker = event.details.observer ?? event.details.hostname;
    if (speaker !== identity.node) {
      return `events[${index}].details.${event.details.observer !== undefined ? 'observer' : 'hostname'}: "${speaker}" is not this monitor's node "${identity.node}"`;
    }
  }
  return undefined;
}

export function createInspectorApp(options: InspectorAppOptions): express.Express {
  const { log, sink } = options;
  const now = options.now ?? Date.now;
  const app = express();
  app.disable('x-powered-by');
  // Read the body as text whatever its Content-Type: Doctor's monitors are not all careful with headers.
  const body = express.text({ type: () => true, limit: options.maxBodyBytes ?? 1024 * 1024 });

  const handle: express.RequestHandler = (req, res) => {
    const receivedAt = now();
    void (async () => {
      const auth = await options.authenticator.authenticate(req.headers);
      if (!auth.ok) {
        log.warn('report refused', {
          status: auth.status,
          error: auth.error,
          remote: req.socket.remoteAddress,
        });
        res.status(auth.status).json({ error: auth.error });
        return;
      }
      if (!sink.accepting()) {
        res
          .status(503)
          .json({ error: 'this replica is not the leader; retry (the Service routes to the leader)' });
        return;
      }
      const parsed = parseEventsJson(typeof req.body === 'string' ? req.body : '', {
        maxEvents: options.maxEvents,
      });
      if (!parsed.ok) {
        res.status(parsed.status).json({ error: parsed.error });
        return;
      }
      const foreign = foreignEvent(parsed.events, auth.identity);
      if (foreign) {
        res.status(403).json({ error: foreign });
        return;
      }
      for (const warning of parsed.warnings)
        log.warn('report warning', { warning, reporter: auth.identity.name });
      // 200 only once the batch's decisions (a host declared Down) are in HostHealth status: answered
      // earlier, a leader killed in between would lose a report the monitor will not send again.
      try {
        await within(
          sink.accept(parsed.events, receivedAt, auth.identity),
          options.recordTimeoutMs ?? 10_000,
        );
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        log.warn('report applied but its decisions were not recorded; answering 503', { reason });
        res.status(503).json({ error: `the report's decisions could not be recorded (${reason}); retry` });
        return;
      }
      res.status(200).json({ accepted: parsed.events.length });
    })().catch((err: unknown) => {
      log.error('report handling failed', { error: err instanceof Error ? err.message : String(err) });
      if (!res.headersSent) res.status(500).json({ error: 'internal error; the report was not applied' });
    });
  };

  app.post('/events', body, handle);
  app.put('/events', body, handle);
  app.all('/events', (_req, res) => {
    res.status(405).set('Allow', 'POST, PUT').json({ error: 'use POST or PUT' });
  });
  // body-parser failures (oversized, bad encoding) arrive here as errors with a status.
  app.use(
    (
      err: { status?: number; type?: string; message?: string },
      _req: express.Request,
      res: express.Response,
      next: express.NextFunction,
    ) => {
      if (res.headersSent) return next(err);
      if (err.type === 'entity.too.large') {
        res.status(413).json({ error: `body larger than ${options.maxBodyBytes ?? 1024 * 1024} bytes` });
        return;
      }
      const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
      res.status(status).json({ error: err.message ?? 'bad request' });
    },
  );
  return app;
}

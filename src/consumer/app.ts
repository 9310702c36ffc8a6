// The sample consumer's HTTP app: POST /failure like Doctor's sample consumer. It logs each
// notification, checks the signature and its timestamp when a key is configured, refuses an exact
// replay of a signed request (409), drops other repeats of an id (200, so the sender stops retrying) and
// records every arrival for the benchmark.
import express, { type NextFunction, type Request, type Response } from 'express';
import { notificationIdHeader } from '../notify/headers.js';
import { defaultToleranceSeconds } from '../notify/signature.js';
import type { Logger } from '../observability/logger.js';
import { describeArrival } from './arrival.js';
import type { ArrivalRecorder } from './recorder.js';
import { SeenIds } from './seen-ids.js';
import { verifyRequest } from './verify-request.js';
import type { MaintenanceAnswerer } from './maintenance-answerer.js';
import { errorText } from '../util/error-text.js';

export interface ConsumerAppOptions {
  logger: Logger;
  hmacKey?: Buffer;
  recorder?: ArrivalRecorder;
  maxBodyBytes?: number;
  seen?: SeenIds;
  /** Signed timestamps further than this from the clock are refused (default 300 s). */
  toleranceSeconds?: number;
  /** Epoch ms; Date.now by default. */
  now?: () => number;
  /** Answers maintenance.scheduled notifications. */
  maintenance?: MaintenanceAnswerer;
}

export function createConsumerApp(options: ConsumerAppOptions): express.Express {
  const { logger } = options;
  const seen = options.seen ?? new SeenIds();
  const now = options.now ?? Date.now;
  const tolerance = options.toleranceSeconds ?? defaultToleranceSeconds;
  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok\n');
  });

  app.post(
    '/failure',
    (_req: Request, res: Response, next: NextFunction) => {
      // Arrival time before reading the body: what the benchmark measures is when the notification came.
      res.locals.receivedAtMs = Date.now();
      next();
    },
    express.raw({ type: () => true, limit: options.maxBodyBytes ?? 256 * 1024 }),
    async (req: Request, res: Response) => {
      const receivedAtMs = res.locals.receivedAtMs as number;
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      let signedAt: string | undefined;
      let signedId: string | undefined;
      if (options.hmacKey !== undefined) {
        const verdict = verifyRequest(req, raw, options.hmacKey, tolerance, now());
        if (!verdict.ok) {
          logger.warn(`notification refused: ${verdict.reason}`, { remote: req.ip });
          res.status(401).json({ error: verdict.reason });
          return;
        }
        signedAt = String(verdict.timestampSeconds);
        signedId = verdict.id;
      }
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        res.status(400).json({ error: 'body is not valid JSON' });
        return;
      }
      const info = describeArrival(body, signedId ?? req.get(notificationIdHeader));
      const seenBefore = info.id !== undefined ? seen.check(info.id, signedAt) : 'new';
      if (seenBefore === 'replay') {
        logger.warn('notification refused: replay of a request already accepted', {
          notificationId: info.id,
          remote: req.ip,
        });
        res.status(409).json({ error: 'replayed request: this id was already accepted with this timestamp' });
        return;
      }
      const duplicate = seenBefore === 'duplicate';
      logger.info(`doctor consumer notified at ${(receivedAtMs / 1000).toFixed(3)}`, {
        notificationId: info.id,
        duplicate,
        body,
      });
      await options.recorder?.append({ receivedAtMs, ...info, duplicate });
      if (!duplicate) options.maintenance?.handle(body);
      res.status(200).json({ status: duplicate ? 'duplicate' : 'ok' });
    },
  );

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found; notifications go to POST /failure' });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: number }).status;
    if (status === 413) {
      res.status(413).json({ error: 'body too large' });
      return;
    }
    if (status !== undefined && status >= 400 && status < 500) {
      res.status(status).json({ error: err instanceof Error ? err.message : 'bad request' });
      return;
    }
    logger.error('consumer failed to handle a request', {
      error: errorText(err),
    });
    res.status(500).json({ error: 'internal error' });
  });
  return app;
}

// Where consumers answer maintenance.scheduled, on the inspector's port: PUT (or POST)
// /maintenance/v1/{sessionId}/{consumer} with the Fenix-style answer, signed like our notifications
// (Standard Webhooks: webhook-id, webhook-timestamp and a webhook-signature over id, timestamp and body
// with that consumer's key). The signature binds the answer to the consumer named in the path and to a
// time (a captured answer is refused after the tolerance; within it, repeating an answer changes
// nothing), and a consumer may answer only for the servers it was told about.
// Hostile input: unsigned requests are refused before the body is read; bodies, ids and answers in
// flight are bounded; every refusal names the problem.
import express from 'express';
import {
  defaultToleranceSeconds,
  verifyWebhook,
  webhookIdHeader,
  webhookSignatureHeader,
  webhookTimestampHeader,
} from '../notify/index.js';
import { errorText } from '../util/error-text.js';
import { AnswerError, maxAnswerBytes, parseAnswer, type MaintenanceAnswer } from './answers.js';
import type { AnswerOutcome } from './job.js';

export interface AnswerSink {
  /** Whether this replica acts (the leader); others answer 503 so the consumer retries. */
  accepting(): boolean;
  /** The consumer's HMAC key for the session; undefined when the session or consumer is unknown. */
  keyFor(sessionId: string, consumer: string): Promise<Buffer | 'unsigned' | undefined>;
  answer(sessionId: string, consumer: string, answer: MaintenanceAnswer): Promise<AnswerOutcome>;
}

export const answerPath = '/maintenance/v1';
const segment = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;
const maxInFlight = 32;

function refuse(res: express.Response, status: number, error: string): void {
  res.set('Connection', 'close').status(status).json({ error });
}

export function maintenanceAnswerRouter(sink: AnswerSink): express.Router {
  const router = express.Router();
  let inFlight = 0;
  router.all(`${answerPath}/:session/:consumer`, (req, res, next) => {
    if (req.method !== 'PUT' && req.method !== 'POST') {
      res.set('Allow', 'PUT, POST');
      refuse(res, 405, 'use PUT or POST');
      return;
    }
    if (!sink.accepting()) {
      res.set('Retry-After', '1');
      refuse(res, 503, 'not the leader; retry');
      return;
    }
    if (!segment.test(req.params.session ?? '') || !segment.test(req.params.consumer ?? '')) {
      refuse(res, 400, 'the session id and consumer name in the path are malformed');
      return;
    }
    if (req.get(webhookSignatureHeader) === undefined) {
      refuse(
        res,
        401,
        `answers must be signed: ${webhookIdHeader}, ${webhookTimestampHeader} and ${webhookSignatureHeader}: v1,<base64 HMAC-SHA256 of "id.timestamp.body" with the consumer's key>`,
      );
      return;
    }
    if (inFlight >= maxInFlight) {
      res.set('Retry-After', '1');
      refuse(res, 503, `more than ${maxInFlight} answers in progress; retry`);
      return;
    }
    inFlight++;
    res.once('close', () => inFlight--);
    next();
  });
  router.use(`${answerPath}/:session/:consumer`, express.raw({ type: () => true, limit: maxAnswerBytes }));
  router.all(`${answerPath}/:session/:consumer`, (req, res, next) => {
    const session = req.params.session ?? '';
    const consumer = req.params.consumer ?? '';
    const body: unknown = req.body;
    const bytes = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
    void (async () => {
      const key = await sink.keyFor(session, consumer);
      if (key === undefined) {
        refuse(res, 404, `no maintenance session ${session} with consumer ${consumer}`);
        return;
      }
      if (key === 'unsigned') {
        refuse(
          res,
          401,
          `consumer ${consumer} has no secretRef in the policy, so its answers cannot be authenticated`,
        );
        return;
      }
      const verdict = verifyWebhook({
        id: req.get(webhookIdHeader),
        timestamp: req.get(webhookTimestampHeader),
        signature: req.get(webhookSignatureHeader),
        body: bytes,
        key,
        nowSeconds: Date.now() / 1000,
        toleranceSeconds: defaultToleranceSeconds,
      });
      if (!verdict.ok) {
        refuse(res, 401, `consumer ${consumer}: ${verdict.reason}`);
        return;
      }
      let answer: MaintenanceAnswer;
      try {
        answer = parseAnswer(JSON.parse(bytes.toString('utf8')));
      } catch (err) {
        refuse(
          res,
          400,
          err instanceof AnswerError ? err.message : `the body is not JSON: ${errorText(err)}`,
        );
        return;
      }
      if (answer.sessionId !== session) {
        refuse(res, 400, 'session_id differs from the session in the path');
        return;
      }
      const outcome = await sink.answer(session, consumer, answer);
      if (outcome.status === 200) res.status(200).json({ result: outcome.message });
      else refuse(res, outcome.status, outcome.message);
    })().catch(next);
  });
  router.use(
    `${answerPath}`,
    (
      err: { type?: string; status?: number; message?: string },
      _req: express.Request,
      res: express.Response,
      next: express.NextFunction,
    ) => {
      if (res.headersSent) return next(err);
      if (err.type === 'entity.too.large') refuse(res, 413, `answer larger than ${maxAnswerBytes} bytes`);
      else refuse(res, 500, 'internal error; the answer was not recorded');
    },
  );
  return router;
}

// The inspector's HTTP port: /events (src/intake/events-endpoint.ts) on plain node:http, ahead of an
// express app for whatever else the port serves (routers the operator adds with app.use).
import express from 'express';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from '../observability/logger.js';
import type { Authenticator } from './authenticator.js';
import { inspectorLimitDefaults, type InspectorLimits } from './limits.js';
import { createIntakeMetrics, type IntakeMetrics } from './metrics.js';
import { createEventsHandler, isEventsPath, type EventSink } from './events-endpoint.js';

export type { EventSink } from './events-endpoint.js';

export interface InspectorAppOptions extends Partial<InspectorLimits> {
  authenticator: Authenticator;
  sink: EventSink;
  log: Logger;
  /** Longest wait for a batch's decisions to be recorded before answering 503 (the monitor retries). */
  recordTimeoutMs?: number;
  now?: () => number;
  metrics?: IntakeMetrics;
}

export function createInspectorApp(options: InspectorAppOptions): express.Express {
  const events = createEventsHandler({
    authenticator: options.authenticator,
    sink: options.sink,
    log: options.log,
    limits: { ...inspectorLimitDefaults, ...definedOnly(options) },
    recordTimeoutMs: options.recordTimeoutMs ?? 10_000,
    now: options.now ?? Date.now,
    metrics: options.metrics ?? createIntakeMetrics(),
  });
  const app = express();
  app.disable('x-powered-by');
  // No ETag: nothing on this port is cached, and express would hash every answer.
  app.set('etag', false);
  // A report skips express altogether: its routing and response helpers cost more than the report.
  // The app calls its own handle() for every request (also when mounted), so that is where to branch.
  const dispatch = app as unknown as {
    handle: (req: IncomingMessage, res: ServerResponse, next?: unknown) => void;
  };
  const routed = dispatch.handle.bind(app);
  dispatch.handle = (req, res, next) => {
    if (isEventsPath(req.url)) events(req, res);
    else routed(req, res, next);
  };
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

// /healthz (the process is alive and its loops run), /readyz (the caches are synced) and /metrics: on one
// listener, or the probes and the metrics on two.
import express from 'express';
import type { Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface HealthSources {
  alive: () => boolean;
  ready: () => { ready: boolean; reason: string };
  /** Absent: the metrics have their own listener (createMetricsApp) or none. */
  registry?: Registry;
}

export function createHealthApp(sources: HealthSources): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    if (sources.alive()) res.type('text/plain').send('ok');
    else res.status(500).type('text/plain').send('not alive');
  });
  app.get('/readyz', (_req, res) => {
    const state = sources.ready();
    res
      .status(state.ready ? 200 : 503)
      .type('text/plain')
      .send(state.ready ? 'ok' : state.reason);
  });
  if (sources.registry) serveMetrics(app, sources.registry);
  return app;
}

function serveMetrics(app: express.Express, registry: Registry): void {
  app.get('/metrics', (_req, res, next) => {
    registry.metrics().then((text) => res.type(registry.contentType).send(text), next);
  });
}

export function createMetricsApp(registry: Registry): express.Express {
  const app = express();
  app.disable('x-powered-by');
  serveMetrics(app, registry);
  return app;
}

/** Without a host: every interface (:: where IPv6 is available, else 0.0.0.0; Node decides). */
export function listen(app: express.Express, port: number, host?: string): Promise<Server> {
  return new Promise((resolveServer, reject) => {
    const done = (err?: Error) => (err ? reject(err) : resolveServer(server));
    const server = host === undefined ? app.listen(port, done) : app.listen(port, host, done);
    server.once('error', reject);
  });
}

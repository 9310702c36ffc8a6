// /healthz (the process is alive and its loops run), /readyz (this replica is the leader and its caches
// are synced: the inspector Service sends monitor reports only to the leader) and /metrics.
import express from 'express';
import type { Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface HealthSources {
  alive: () => boolean;
  ready: () => { ready: boolean; reason: string };
  registry: Registry;
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
  app.get('/metrics', (_req, res, next) => {
    sources.registry.metrics().then((text) => res.type(sources.registry.contentType).send(text), next);
  });
  return app;
}

export function listen(app: express.Express, port: number, host: string): Promise<Server> {
  return new Promise((resolveServer, reject) => {
    const server = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolveServer(server)));
    server.once('error', reject);
  });
}

// A Keystone v3 + Nova simulator that enforces the Nova api-ref contract for the calls the operator makes instead of
// echoing requests, for integration tests, benchmarks and the demo. Listens on 127.0.0.1 only.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { renderCloudsYaml, type CloudsYamlOptions } from './clouds-yaml.js';
import type { SimContext } from './context.js';
import { keystoneRouter } from './keystone.js';
import { novaRouter, stripProjectId } from './nova.js';
import { resolveOptions, type ResolvedOptions, seedState, type SimOptions } from './options.js';
import type { SimState } from './state.js';
import { addLatency, injectFailures, recordCalls, type SimCall } from './traffic.js';

export type { SimCall } from './traffic.js';
export type { SimOptions, FailureInjection } from './options.js';
export { simCredentials } from './options.js';

export interface NovaSim {
  /** http://127.0.0.1:PORT (https with the tls option) */
  url: string;
  /** Keystone auth_url for clouds.yaml. */
  authUrl: string;
  /** Every call so far, in completion order. */
  calls: SimCall[];
  state: SimState;
  /** Live settings; change them between test steps (latency, failures, token lifetime, versions). */
  configure(changes: Partial<ResolvedOptions>): void;
  /** Nova calls only (not Keystone), optionally filtered by method and path pattern. */
  novaCalls(method?: string, path?: RegExp): SimCall[];
  clearCalls(): void;
  cloudsYaml(options?: CloudsYamlOptions): string;
  stop(): Promise<void>;
}

export async function start(options: SimOptions = {}): Promise<NovaSim> {
  const resolved = resolveOptions(options);
  const state = seedState(options);
  const calls: SimCall[] = [];
  let baseUrl = '';
  const ctx: SimContext = { state, options: resolved, baseUrl: () => baseUrl };

  const app = express();
  app.disable('x-powered-by');
  app.use(recordCalls(calls));
  app.use(addLatency(() => resolved.latencyMs));
  app.use(injectFailures(() => resolved.failures));
  app.use(stripProjectId);
  app.use(keystoneRouter(ctx));
  app.use(novaRouter(ctx));
  app.use((_req, res) => {
    res.status(404).json({ error: { code: 404, message: 'no such endpoint in the simulator' } });
  });

  const host = options.host ?? '127.0.0.1';
  const server: Server =
    options.tls !== undefined ? createHttpsServer(options.tls, app) : createHttpServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `${options.tls !== undefined ? 'https' : 'http'}://${host}:${port}`;

  return {
    url: baseUrl,
    authUrl: `${baseUrl}/identity/v3`,
    calls,
    state,
    configure(changes) {
      Object.assign(resolved, changes);
    },
    novaCalls(method, path) {
      return calls.filter(
        (c) =>
          !c.path.startsWith('/identity') &&
          (method === undefined || c.method === method) &&
          (path === undefined || path.test(c.path)),
      );
    },
    clearCalls() {
      calls.length = 0;
    },
    cloudsYaml(cloudsOptions) {
      return renderCloudsYaml(`${baseUrl}/identity/v3`, resolved.region, cloudsOptions);
    },
    stop() {
      state.clearTimers();
      return new Promise((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

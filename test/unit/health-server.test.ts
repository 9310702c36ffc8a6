// The operator's probe and metrics listeners: without a host they take every interface (:: where the
// machine has IPv6, answering IPv4 too; 0.0.0.0 otherwise), and metrics can have a listener of their own.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { Registry } from 'prom-client';
import { createHealthApp, createMetricsApp, listen } from '../../src/runtime/health-server.js';

const hasIpv6Loopback = Object.values(networkInterfaces())
  .flat()
  .some((i) => i?.family === 'IPv6' && i.internal);

async function status(url: string): Promise<number> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  await response.arrayBuffer();
  return response.status;
}

describe('health and metrics listeners', function () {
  const servers: Server[] = [];
  afterEach(async function () {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
  const registry = new Registry();
  const sources = { alive: () => true, ready: () => ({ ready: true, reason: '' }) };

  it('without a host listen on every interface, reachable over IPv4 and, where present, IPv6', async function () {
    const server = await listen(createHealthApp({ ...sources, registry }), 0);
    servers.push(server);
    const { address, port } = server.address() as AddressInfo;
    assert.equal(address, hasIpv6Loopback ? '::' : '0.0.0.0');
    assert.equal(await status(`http://127.0.0.1:${port}/healthz`), 200);
    if (hasIpv6Loopback) assert.equal(await status(`http://[::1]:${port}/readyz`), 200);
    assert.equal(await status(`http://127.0.0.1:${port}/metrics`), 200);
  });

  it('serve the probes without /metrics when metrics have their own listener', async function () {
    const probes = await listen(createHealthApp(sources), 0, '127.0.0.1');
    const metrics = await listen(createMetricsApp(registry), 0, '127.0.0.1');
    servers.push(probes, metrics);
    const port = (s: Server) => (s.address() as AddressInfo).port;
    assert.equal(await status(`http://127.0.0.1:${port(probes)}/metrics`), 404);
    assert.equal(await status(`http://127.0.0.1:${port(metrics)}/metrics`), 200);
    assert.equal(await status(`http://127.0.0.1:${port(metrics)}/healthz`), 404);
  });

  it('reject when the address is taken', async function () {
    const first = await listen(createMetricsApp(registry), 0, '127.0.0.1');
    servers.push(first);
    await assert.rejects(
      listen(createMetricsApp(registry), (first.address() as AddressInfo).port, '127.0.0.1'),
      /EADDRINUSE/,
    );
  });
});

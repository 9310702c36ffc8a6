import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ConnectionKeeper,
  keepAliveMarginMs,
  keepAliveTimeoutMs,
  keepingDelayMs,
} from '../../../src/openstack/connection-keeper.js';
import { NovaClient } from '../../../src/openstack/nova.js';
import type { Token } from '../../../src/openstack/keystone-body.js';
import { HttpAgents } from '../../../src/util/http-client.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('keeping the Nova connection open', () => {
  it('reads the idle timeout a server announces', () => {
    assert.equal(keepAliveTimeoutMs('timeout=5'), 5000);
    assert.equal(keepAliveTimeoutMs('timeout=5, max=100'), 5000);
    assert.equal(keepAliveTimeoutMs('max=100, timeout=15'), 15000);
    assert.equal(keepAliveTimeoutMs(['timeout=7']), 7000);
    assert.equal(keepAliveTimeoutMs(undefined), undefined);
    assert.equal(keepAliveTimeoutMs('max=100'), undefined);
    assert.equal(keepAliveTimeoutMs('timeout=abc'), undefined);
    assert.equal(keepAliveTimeoutMs('xtimeout=5'), undefined);
    // Absurd values are not trusted: at most six digits.
    assert.equal(keepAliveTimeoutMs('timeout=99999999999'), undefined);
  });

  it('sends nothing when the server announces no timeout or one too short to help', () => {
    assert.equal(keepingDelayMs(undefined), undefined);
    assert.equal(keepingDelayMs(2000), undefined);
    assert.equal(keepingDelayMs(5000), 5000 - keepAliveMarginMs);
  });

  it('stops sending when stopped, and after a failed request', async () => {
    let pings = 0;
    const stopped = new ConnectionKeeper(() => {
      pings++;
      return Promise.resolve(3000);
    });
    stopped.start();
    stopped.start(); // idempotent: one request in flight
    stopped.stop();
    let failures = 0;
    const failing = new ConnectionKeeper(() => {
      failures++;
      return Promise.reject(new Error('refused'));
    });
    failing.start();
    await sleep(3000 - keepAliveMarginMs + 300);
    assert.equal(pings, 1);
    assert.equal(failures, 1);
    failing.stop();
  });

  describe('against a server that closes idle connections after 3 s', () => {
    let server: Server;
    let connections = 0;
    let agents: HttpAgents;
    let nova: NovaClient;

    beforeEach(async () => {
      connections = 0;
      server = createServer((req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({ version: { id: 'v2.1', status: 'CURRENT', version: '2.96', min_version: '2.1' } }),
        );
      });
      server.keepAliveTimeout = 3000;
      server.on('connection', () => connections++);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const token: Token = {
        value: 't',
        expiresAtMs: Number.MAX_SAFE_INTEGER,
        receivedAtMs: 0,
        catalog: [
          { type: 'compute', endpoints: [{ interface: 'public', url: `http://127.0.0.1:${port}/v2.1` }] },
        ],
        roles: ['admin'],
      };
      agents = new HttpAgents();
      nova = new NovaClient({
        session: { getToken: () => Promise.resolve(token), invalidate: () => undefined },
        agents,
      });
    });

    afterEach(() => {
      agents.destroy();
      server.closeAllConnections();
      server.close();
    });

    it('reuses the one connection after an idle time longer than the timeout', async function () {
      this.timeout(10_000);
      const keeper = new ConnectionKeeper(() => nova.keepConnectionOpen());
      keeper.start();
      await sleep(4500);
      await nova.versionRange();
      keeper.stop();
      assert.equal(connections, 1);
    });

    it('without it, the next request needs a new connection (the premise)', async function () {
      this.timeout(10_000);
      assert.equal(await nova.keepConnectionOpen(), 3000);
      await sleep(4500);
      await nova.versionRange();
      assert.equal(connections, 2);
    });
  });
});

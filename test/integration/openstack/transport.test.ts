// The request function under the clients: timeouts, aborts, connection errors, size limits, and TLS
// with a private CA (clouds.yaml cacert / verify) against an https simulator.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenStackClients } from '../../../src/openstack/factory.js';
import { httpRequest, HttpTransportError } from '../../../src/util/http-client.js';
import { start } from '../../../tools/nova-sim/index.js';
import { selfSignedCert } from '../../support/test-cert.js';
import { quickRetry } from './harness.js';

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('HTTP transport', function () {
  this.timeout(20_000);
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(close));
  });

  it('returns status, headers and body', async () => {
    const { url, server } = await listen((req, res) => {
      res.setHeader('x-echo', req.headers['x-test'] ?? '');
      res.end(`${req.method} ${req.url}`);
    });
    servers.push(server);
    const res = await httpRequest({
      method: 'put',
      url: `${url}/a?b=1`,
      headers: { 'x-test': 'yes' },
      body: 'x',
      timeoutMs: 2000,
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-echo'], 'yes');
    assert.equal(res.body, 'PUT /a?b=1');
  });

  it('times out a server that never answers, as a retryable error', async () => {
    const { url, server } = await listen(() => undefined);
    servers.push(server);
    await assert.rejects(httpRequest({ method: 'GET', url, timeoutMs: 100 }), (err: unknown) => {
      assert.ok(err instanceof HttpTransportError);
      assert.equal(err.kind, 'timeout');
      assert.equal(err.retryable, true);
      assert.match(err.message, /no response within 100 ms/);
      return true;
    });
  });

  it('stops at once when the caller aborts, not retryable', async () => {
    const { url, server } = await listen(() => undefined);
    servers.push(server);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(
      httpRequest({ method: 'GET', url, timeoutMs: 10_000, signal: controller.signal }),
      (err: unknown) => {
        assert.ok(err instanceof HttpTransportError);
        assert.equal(err.kind, 'aborted');
        assert.equal(err.retryable, false);
        return true;
      },
    );
  });

  it('classifies a refused connection as retryable', async () => {
    const { url, server } = await listen(() => undefined);
    await close(server);
    await assert.rejects(httpRequest({ method: 'GET', url, timeoutMs: 2000 }), (err: unknown) => {
      assert.ok(err instanceof HttpTransportError);
      assert.equal(err.kind, 'connection');
      assert.equal(err.code, 'ECONNREFUSED');
      assert.equal(err.retryable, true);
      return true;
    });
  });

  it('cuts off an oversized answer', async () => {
    const { url, server } = await listen((_req, res) => {
      res.end('x'.repeat(100_000));
    });
    servers.push(server);
    await assert.rejects(httpRequest({ method: 'GET', url, timeoutMs: 2000, maxResponseBytes: 1000 }), {
      message: /exceeds 1000 bytes/,
    });
  });

  it('refuses URLs it cannot send to', async () => {
    await assert.rejects(httpRequest({ method: 'GET', url: 'ftp://127.0.0.1/', timeoutMs: 100 }), {
      message: /unsupported URL scheme/,
    });
    await assert.rejects(httpRequest({ method: 'GET', url: 'not a url', timeoutMs: 100 }), {
      message: /invalid URL/,
    });
  });
});

describe('TLS to the cloud (cacert, verify)', function () {
  this.timeout(30_000);
  let dir: string;
  let key: Buffer;
  let cert: Buffer;

  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'doctor-tls-'));
    ({ key, cert } = selfSignedCert(dir, 'sim'));
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function withHttpsSim(
    edit: (yaml: string) => string,
    run: (ok: () => Promise<unknown>) => Promise<void>,
  ) {
    const sim = await start({ tls: { key, cert } });
    const clients = await createOpenStackClients(edit(sim.cloudsYaml()), 'openstack', {
      retry: quickRetry,
      timeoutMs: 3000,
    });
    try {
      await run(() => clients.nova.listServersOnHost('compute-0'));
    } finally {
      clients.close();
      await sim.stop();
    }
  }

  it('trusts the CA file named by cacert', async () => {
    const path = join(dir, 'sim-cert.pem');
    await withHttpsSim(
      (yaml) => yaml.replace('interface: public', `interface: public\n    cacert: ${path}`),
      async (list) => {
        assert.equal(((await list()) as unknown[]).length, 2);
      },
    );
  });

  it('accepts the CA inline as PEM text', async () => {
    const pem = cert
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((l) => `      ${l}`)
      .join('\n');
    await withHttpsSim(
      (yaml) => yaml.replace('interface: public', `interface: public\n    cacert: |\n${pem}`),
      async (list) => {
        assert.equal(((await list()) as unknown[]).length, 2);
      },
    );
  });

  it('refuses an unknown CA without retrying, and accepts it with verify: false', async () => {
    await withHttpsSim(
      (yaml) => yaml,
      async (list) => {
        await assert.rejects(list(), (err: unknown) => {
          assert.ok(err instanceof HttpTransportError);
          assert.equal(err.kind, 'tls');
          assert.equal(err.retryable, false);
          return true;
        });
      },
    );
    await withHttpsSim(
      (yaml) => yaml.replace('interface: public', 'interface: public\n    verify: false'),
      async (list) => {
        assert.equal(((await list()) as unknown[]).length, 2);
      },
    );
  });

  it('names the cacert field when the file is missing', async () => {
    await assert.rejects(
      createOpenStackClients(
        'clouds:\n  c:\n    auth: {auth_url: "https://127.0.0.1:1/v3", username: u, password: p, user_domain_name: D, project_name: p, project_domain_name: D}\n    cacert: /nonexistent/ca.pem\n',
        'c',
      ),
      { message: 'clouds.c.cacert: cannot read /nonexistent/ca.pem (ENOENT)' },
    );
  });
});

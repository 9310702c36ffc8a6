// What logs, Events and status say when an API call fails.
import assert from 'node:assert/strict';
import net from 'node:net';
import * as k8s from '@kubernetes/client-node';
import { describeApiError } from '../../../src/runtime/api-errors.js';

/** A loopback port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('API error descriptions', function () {
  it('name why a request never reached the API server, not only that fetch failed', async function () {
    const config = new k8s.KubeConfig();
    const server = `https://127.0.0.1:${await closedPort()}`;
    config.loadFromClusterAndUser({ name: 'c', server, skipTLSVerify: true }, { name: 'u', token: 't' });
    const err = await config
      .makeApiClient(k8s.CoreV1Api)
      .readNamespace({ name: 'default' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.match(describeApiError(err), /ECONNREFUSED/);
  });

  it('give the HTTP status and the API server message', function () {
    const body = JSON.stringify({ kind: 'Status', message: 'hosthealths "h1" not found' });
    const err = new k8s.ApiException(404, 'Not Found', body, {});
    assert.equal(describeApiError(err), '404: hosthealths "h1" not found');
  });
});

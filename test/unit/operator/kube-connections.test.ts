// Every request of one cluster and client identity goes out through the same keep-alive pool (the API
// client otherwise builds a dispatcher, a connection and a TLS context per request), while the library
// still sets its headers. The connection counts against a real API server are in the integration test.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { Agent } from 'undici';
import { clientTls, reuseConnections } from '../../../src/runtime/kube-connections.js';

const pem = (): string =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;
const keyData = Buffer.from(pem()).toString('base64');
const otherKeyData = Buffer.from(pem()).toString('base64');

function config(cluster: Partial<k8s.Cluster> = {}, user: Partial<k8s.User> = {}): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromClusterAndUser(
    { name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: false, ...cluster },
    { name: 'u', token: 'secret-token', keyData, ...user },
  );
  return kc;
}

async function dispatcherOf(
  kc: k8s.KubeConfig,
): Promise<{ dispatcher: unknown; context: k8s.RequestContext }> {
  const context = new k8s.RequestContext('https://127.0.0.1:6443/api/v1/namespaces', k8s.HttpMethod.GET);
  await kc.applySecurityAuthentication(context);
  return { dispatcher: context.getDispatcher(), context };
}

describe('kube connections', function () {
  it('hands every request of one identity the same pool, keeping the headers the library sets', async function () {
    const kc = reuseConnections(config());
    const first = await dispatcherOf(kc);
    const second = await dispatcherOf(kc);
    assert.ok(first.dispatcher instanceof Agent);
    assert.equal(second.dispatcher, first.dispatcher);
    assert.equal(second.context.getHeaders().Authorization, 'Bearer secret-token');
  });

  it('without it, the library gives each request a dispatcher of its own', async function () {
    const kc = config();
    assert.notEqual((await dispatcherOf(kc)).dispatcher, (await dispatcherOf(kc)).dispatcher);
  });

  it('keeps identities apart', async function () {
    const base = (await dispatcherOf(reuseConnections(config()))).dispatcher;
    const others = [
      config({}, { keyData: otherKeyData }),
      config({ skipTLSVerify: true }),
      config({ server: 'https://127.0.0.2:6443' }),
      config({ tlsServerName: 'kubernetes' }),
      config({ server: 'http://127.0.0.1:8080', skipTLSVerify: true }),
    ];
    for (const kc of others) assert.notEqual((await dispatcherOf(reuseConnections(kc))).dispatcher, base);
  });

  it('follows a rotated key file to a new pool and closes pools beyond the few it keeps', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'kube-connections-'));
    try {
      const keyFile = join(dir, 'client.key');
      writeFileSync(keyFile, pem());
      const kc = reuseConnections(config({}, { keyData: undefined, keyFile }));
      const first = (await dispatcherOf(kc)).dispatcher as Agent;
      for (let i = 0; i < 4; i++) {
        writeFileSync(keyFile, pem());
        assert.notEqual((await dispatcherOf(kc)).dispatcher, first);
      }
      assert.equal(first.closed, true, 'the oldest pool is closed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves a proxied cluster to the library', async function () {
    const kc = reuseConnections(config({ proxyUrl: 'http://127.0.0.1:3128' }));
    const { dispatcher } = await dispatcherOf(kc);
    assert.ok(dispatcher, 'the library set its proxy dispatcher');
    assert.notEqual(dispatcher, (await dispatcherOf(kc)).dispatcher, 'not one of the shared pools');
  });

  it('reads the TLS settings as the library does, and none without a user', function () {
    const cluster: k8s.Cluster = {
      name: 'c',
      server: 'https://127.0.0.1:6443',
      skipTLSVerify: true,
      tlsServerName: 'kubernetes',
      caData: Buffer.from('ca').toString('base64'),
    };
    const tls = clientTls(cluster, { name: 'u', keyData, certData: Buffer.from('cert').toString('base64') });
    assert.equal(tls.rejectUnauthorized, false);
    assert.equal(tls.servername, 'kubernetes');
    assert.equal(tls.ca?.toString(), 'ca');
    assert.equal(tls.cert?.toString(), 'cert');
    assert.ok(tls.key?.toString().includes('PRIVATE KEY'));
    assert.deepEqual(clientTls(cluster, null), {});
  });
});

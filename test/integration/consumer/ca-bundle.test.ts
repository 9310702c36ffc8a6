// A consumer behind a private CA: the target's caBundle (inline or from a Secret) is the only trust
// anchor of its deliveries; another CA, the system roots or a broken bundle never get a notification out.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NotifyTarget } from '../../../src/api/types.js';
import { deliver } from '../../../src/notify/deliver.js';
import { prepareServerNotification } from '../../../src/notify/notification.js';
import type { SecretReader } from '../../../src/remediation/ports.js';
import { agentsFor } from '../../../src/remediation/targets.js';
import { selfSignedCert, type TestCert } from '../../support/test-cert.js';

const notification = prepareServerNotification('cloudevents', {
  kind: 'host.down',
  faultId: 'f',
  consumer: 'vnfm',
  host: 'compute-1',
  server: { id: 's', projectId: 'p' },
  time: new Date(),
});

describe('consumer CA bundle', function () {
  this.timeout(30_000);
  let dir: string;
  let consumerCa: TestCert;
  let otherCa: TestCert;
  let server: Server;
  let url: string;
  let received = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'doctor-ca-'));
    consumerCa = selfSignedCert(dir, 'consumer');
    otherCa = selfSignedCert(dir, 'other');
    server = createServer({ key: consumerCa.key, cert: consumerCa.cert }, (req, res) => {
      req.resume().on('end', () => {
        received++;
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/failure`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const lookup = (kind: string, data: Record<string, string>) => (name: string, key: string) => {
    const value = data[`${kind}/${name}/${key}`];
    return value === undefined
      ? Promise.reject(new Error(`${kind} ${name} has no key ${key}`))
      : Promise.resolve(value);
  };
  const secrets = (data: Record<string, string>): SecretReader => ({
    read: lookup('Secret', data),
    readConfigMap: lookup('ConfigMap', data),
  });

  async function send(target: NotifyTarget, reader: SecretReader = secrets({})) {
    const agents = await agentsFor(target, reader);
    return deliver({ url: target.url, ...(agents !== undefined ? { agents } : {}) }, notification, {
      timeoutMs: 3000,
    });
  }

  const target = (caBundle?: NotifyTarget['caBundle']): NotifyTarget => ({
    name: 'vnfm',
    url,
    format: 'cloudevents',
    timeoutMilliseconds: 3000,
    projects: [],
    ...(caBundle !== undefined ? { caBundle } : {}),
  });

  it('delivers to a consumer whose certificate chains to the inline bundle', async () => {
    const before = received;
    const result = await send(target({ pem: consumerCa.cert.toString() }));
    assert.equal(result.ok, true, result.error);
    assert.equal(received, before + 1);
  });

  it('reads the bundle from a Secret', async () => {
    const reader = secrets({ 'Secret/vnfm-ca/ca.crt': consumerCa.cert.toString() });
    const result = await send(target({ secretRef: { name: 'vnfm-ca', key: 'ca.crt' } }), reader);
    assert.equal(result.ok, true, result.error);
  });

  it('reads the bundle from a ConfigMap', async () => {
    const reader = secrets({ 'ConfigMap/trust/ca.crt': consumerCa.cert.toString() });
    const result = await send(target({ configMapRef: { name: 'trust', key: 'ca.crt' } }), reader);
    assert.equal(result.ok, true, result.error);
    await assert.rejects(agentsFor(target({ configMapRef: { name: 'trust', key: 'x' } }), reader), {
      message: /notify target vnfm: caBundle.configMapRef trust\/x: ConfigMap trust has no key x/,
    });
  });

  it('refuses a consumer certificate of another CA, and the system roots do not trust it either', async () => {
    const before = received;
    const wrong = await send(target({ pem: otherCa.cert.toString() }));
    assert.equal(wrong.ok, false);
    assert.match(wrong.error ?? '', /self-signed|certificate|CERT/i);
    const noBundle = await send(target());
    assert.equal(noBundle.ok, false);
    assert.equal(received, before);
  });

  it('names a missing Secret key, text without a certificate, and an oversized bundle', async () => {
    await assert.rejects(agentsFor(target({ secretRef: { name: 'absent', key: 'ca.crt' } }), secrets({})), {
      message: /notify target vnfm: caBundle.secretRef absent\/ca.crt: Secret absent has no key ca.crt/,
    });
    await assert.rejects(agentsFor(target({ pem: 'hello' }), secrets({})), {
      message: /notify target vnfm: caBundle holds no PEM certificate/,
    });
    const broken = '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n';
    await assert.rejects(agentsFor(target({ pem: broken }), secrets({})), { message: /not valid PEM/ });
    const huge = consumerCa.cert.toString().repeat(200);
    await assert.rejects(agentsFor(target({ pem: huge }), secrets({})), {
      message: /larger than 65536 bytes/,
    });
  });
});

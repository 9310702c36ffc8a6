// Maintenance notifications reach a consumer the way remediation's do: signed with its key and through a
// connection pool trusting its caBundle.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NotifyTarget } from '../../../src/api/types.js';
import { caAgents } from '../../../src/notify/index.js';
import { consumerCredentials } from '../../../src/operator/maintenance-wiring.js';
import type { SecretReader } from '../../../src/remediation/ports.js';
import { selfSignedCert } from '../../support/test-cert.js';

describe('maintenance consumer credentials', function () {
  const dir = mkdtempSync(join(tmpdir(), 'mt-cred-'));
  const pem = selfSignedCert(dir, 'consumer').cert.toString('utf8');
  const values = new Map<string, string>([
    ['consumer-key/key', 'first-key'],
    ['consumer-ca/ca.crt', pem],
  ]);
  const secrets: SecretReader = {
    read: (name, key) => {
      const value = values.get(`${name}/${key}`);
      return value === undefined
        ? Promise.reject(new Error(`${name}/${key} missing`))
        : Promise.resolve(value);
    },
  };
  const plainTarget: NotifyTarget = {
    name: 'vnfm',
    url: 'https://127.0.0.1:1/failure',
    format: 'cloudevents',
    timeoutMilliseconds: 1000,
    projects: [],
    secretRef: { name: 'consumer-key', key: 'key' },
  };
  const target: NotifyTarget = {
    ...plainTarget,
    caBundle: { secretRef: { name: 'consumer-ca', key: 'ca.crt' } },
  };

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('sends through the pool trusting the caBundle, signed with the key', async function () {
    const to = await consumerCredentials(secrets).deliveryTarget(target);
    assert.equal(to.url, target.url);
    assert.deepEqual(to.hmacKey, Buffer.from('first-key'));
    assert.ok(to.agents !== undefined, 'a caBundle gives its own pool');
    assert.equal(to.agents, caAgents(pem), 'the pool of that bundle');
  });

  it('takes a rotated key at its next use, for deliveries and answers alike', async function () {
    const credentials = consumerCredentials(secrets);
    assert.deepEqual(await credentials.keyFor(target), Buffer.from('first-key'));
    values.set('consumer-key/key', 'rotated-key');
    try {
      assert.deepEqual(await credentials.keyFor(target), Buffer.from('rotated-key'));
      assert.deepEqual((await credentials.deliveryTarget(target)).hmacKey, Buffer.from('rotated-key'));
    } finally {
      values.set('consumer-key/key', 'first-key');
    }
  });

  it('uses the shared pool without a caBundle, and fails on a bundle it cannot read', async function () {
    const credentials = consumerCredentials(secrets);
    const plain = await credentials.deliveryTarget(plainTarget);
    assert.equal(plain.agents, undefined);
    await assert.rejects(
      credentials.deliveryTarget({ ...target, caBundle: { secretRef: { name: 'gone', key: 'ca.crt' } } }),
      /caBundle\.secretRef gone\/ca\.crt/,
    );
  });
});

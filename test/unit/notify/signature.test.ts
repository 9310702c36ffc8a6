import assert from 'node:assert/strict';
import {
  normalizeHmacKey,
  signBody,
  signWebhook,
  verifySignature,
  verifyWebhook,
} from '../../../src/notify/signature.js';

describe('HMAC signatures', () => {
  it('matches a published HMAC-SHA256 vector', () => {
    assert.equal(
      signBody('The quick brown fox jumps over the lazy dog', 'key'),
      'sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    );
  });

  it('verifies the exact body and refuses anything else', () => {
    const key = Buffer.from('consumer-key');
    const body = '{"alarm_name":"x"}';
    const header = signBody(body, key);
    assert.equal(verifySignature(body, key, header), true);
    assert.equal(verifySignature(Buffer.from(body), key, header), true);
    assert.equal(verifySignature(`${body} `, key, header), false);
    assert.equal(verifySignature(body, Buffer.from('other-key'), header), false);
    assert.equal(verifySignature(body, key, undefined), false);
    assert.equal(verifySignature(body, key, header.replace('sha256=', 'sha1=')), false);
    assert.equal(verifySignature(body, key, header.slice(0, -2)), false);
    assert.equal(verifySignature(body, key, 'sha256=zz'), false);
  });

  it('drops trailing newlines of a key file but nothing else', () => {
    assert.deepEqual(normalizeHmacKey('secret\n'), Buffer.from('secret'));
    assert.deepEqual(normalizeHmacKey(Buffer.from('secret\r\n\n')), Buffer.from('secret'));
    assert.deepEqual(normalizeHmacKey(' secret '), Buffer.from(' secret '));
    assert.deepEqual(normalizeHmacKey('\n'), Buffer.alloc(0));
  });

  describe('Standard Webhooks', () => {
    // The Standard Webhooks libraries' own vector: key "whsec_MfKQ9r8G..." is base64 of the HMAC key.
    const key = Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64');
    const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
    const body = '{"test": 2432232314}';
    const headers = signWebhook(id, 1614265330, body, key);
    const check = (changes: Partial<Parameters<typeof verifyWebhook>[0]> = {}) =>
      verifyWebhook({
        id,
        timestamp: headers['webhook-timestamp'],
        signature: headers['webhook-signature'],
        body,
        key,
        nowSeconds: 1614265330 + 10,
        ...changes,
      });

    it('matches the published vector', () => {
      assert.deepEqual(headers, {
        'webhook-id': id,
        'webhook-timestamp': '1614265330',
        'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
      });
      assert.deepEqual(check(), { ok: true, id, timestampSeconds: 1614265330 });
    });

    it('refuses another id, another timestamp, another body or another key', () => {
      assert.equal(check({ id: `${id}x` }).ok, false);
      assert.equal(check({ timestamp: '1614265331' }).ok, false);
      assert.equal(check({ body: `${body} ` }).ok, false);
      assert.equal(check({ key: 'other' }).ok, false);
    });

    it('refuses timestamps outside the tolerance, either way', () => {
      assert.equal(check({ nowSeconds: 1614265330 + 300 }).ok, true);
      assert.deepEqual(check({ nowSeconds: 1614265330 + 301 }), {
        ok: false,
        reason: "webhook-timestamp is more than 300 s from this consumer's clock",
      });
      assert.equal(check({ nowSeconds: 1614265330 - 301 }).ok, false);
      assert.equal(check({ nowSeconds: 1614265330 + 50, toleranceSeconds: 30 }).ok, false);
    });

    it('takes any of several signatures and ignores other versions', () => {
      const other = signWebhook(id, 1614265330, body, 'old-key')['webhook-signature'];
      assert.equal(check({ signature: `v2,abc ${other} ${headers['webhook-signature']}` }).ok, true);
      assert.equal(check({ signature: `v2,${headers['webhook-signature'].slice(3)}` }).ok, false);
    });

    it('names a missing or malformed header', () => {
      assert.deepEqual(check({ id: undefined }), { ok: false, reason: 'webhook-id is missing' });
      assert.match((check({ timestamp: '1614265330.5' }) as { reason: string }).reason, /Unix seconds/);
      assert.match((check({ timestamp: undefined }) as { reason: string }).reason, /missing/);
      assert.deepEqual(check({ signature: '' }), { ok: false, reason: 'webhook-signature is missing' });
      assert.match((check({ signature: 'v1,'.repeat(400) }) as { reason: string }).reason, /longer than/);
    });
  });
});

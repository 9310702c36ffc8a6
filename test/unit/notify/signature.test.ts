import assert from 'node:assert/strict';
import { normalizeHmacKey, signBody, verifySignature } from '../../../src/notify/signature.js';

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
});

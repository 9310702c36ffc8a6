import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { sha256Hex } from '../../../src/contracts/sha256.js';
import { maxCachedRingKeys, ringKey } from '../../../src/contracts/observer-ring.js';

describe('SHA-256 of names', () => {
  it('matches the FIPS 180-4 examples', () => {
    assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(
      sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('matches node:crypto at every length around the block boundaries and for non-ASCII text', () => {
    for (let n = 0; n <= 200; n++) {
      for (const text of ['a'.repeat(n), 'é✓'.repeat(n % 9) + 'node-'.repeat(n % 13) + String(n)]) {
        assert.equal(sha256Hex(text), createHash('sha256').update(text).digest('hex'), `length ${n}`);
      }
    }
  });
});

describe('ring keys', () => {
  it('are the SHA-256 of the name, also once more names than the cache holds have been seen', () => {
    const count = maxCachedRingKeys + 5;
    const names = Array.from({ length: count }, (_, i) => `node-${i}`);
    for (const name of names) ringKey(name);
    for (const name of [names[0]!, names[count - 1]!, 'node-7', 'élan'])
      assert.equal(ringKey(name), createHash('sha256').update(name).digest('hex'), name);
  });
});

// The static-token Secret: every key is one observer with its own token.
import assert from 'node:assert/strict';
import { tokensOf } from '../../../../src/intake/static-token.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('inspector static tokens from a Secret', function () {
  it('makes every non-empty key an observer with its token (trimmed)', function () {
    const warnings: string[] = [];
    const tokens = tokensOf(
      { 'doctor-sample-2': b64('two\n'), 'doctor-sample-1': b64('one'), empty: b64('  ') },
      (w) => warnings.push(w),
    );
    assert.deepEqual(tokens, [
      { observer: 'doctor-sample-1', token: 'one' },
      { observer: 'doctor-sample-2', token: 'two' },
    ]);
    assert.deepEqual(warnings, []);
  });

  it('accepts neither key when two keys hold the same token (they would be one observer twice)', function () {
    const warnings: string[] = [];
    const tokens = tokensOf({ a: b64('same'), b: b64('same'), c: b64('other') }, (w) => warnings.push(w));
    assert.deepEqual(tokens, [{ observer: 'c', token: 'other' }]);
    assert.match(warnings[0] ?? '', /keys a, b hold the same token/);
  });
});

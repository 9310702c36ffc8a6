// The static-token Secret: every key is one observer with its own token.
import assert from 'node:assert/strict';
import type * as k8s from '@kubernetes/client-node';
import { createLogger } from '../../../../src/observability/logger.js';
import { StaticTokenSource, tokensOf } from '../../../../src/intake/static-token.js';

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

describe('inspector static-token source start and stop', function () {
  /** A Secret API whose reads wait until `answer` is called; counts the reads. */
  const pendingSecrets = () => {
    const answers: (() => void)[] = [];
    let reads = 0;
    const core = {
      readNamespacedSecret: () => {
        reads++;
        return new Promise<k8s.V1Secret>((resolve) =>
          answers.push(() => resolve({ data: { observer: b64('token') } })),
        );
      },
    };
    return { core, answer: () => answers.splice(0).forEach((a) => a()), reads: () => reads };
  };

  it('waits in stop() for a read in flight and starts no timer when stopped during start', async function () {
    const api = pendingSecrets();
    const source = new StaticTokenSource(api.core, 'ns', 'tokens', createLogger('test', 'error'), 5);
    const starting = source.start();
    let stopped = false;
    const stopping = source.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(stopped, false, 'stop() returned while the Secret read was still running');
    api.answer();
    await Promise.all([starting, stopping]);
    assert.deepEqual(source.current(), [{ observer: 'observer', token: 'token' }]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(api.reads(), 1, 'a re-read timer outlived stop()');
  });
});

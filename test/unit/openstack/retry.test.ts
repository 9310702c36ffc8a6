import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sleep, withRetry } from '../../../src/openstack/retry.js';
import { backoffDelay, honourRetryAfter, parseRetryAfter } from '../../../src/util/backoff.js';

class Transient extends Error {}

const fast = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 4 };

describe('backoff', () => {
  it('stays between half and all of the capped exponential delay (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (attempt, base, cap, r) => {
          const delay = backoffDelay(attempt, base, cap, () => r);
          const ceiling = Math.min(cap, base * 2 ** (attempt - 1));
          assert.ok(
            delay >= ceiling / 2 && delay <= ceiling,
            `${delay} outside [${ceiling / 2}, ${ceiling}]`,
          );
        },
      ),
    );
  });

  it('grows exponentially until the cap', () => {
    const top = () => 1;
    assert.equal(backoffDelay(1, 100, 10_000, top), 100);
    assert.equal(backoffDelay(2, 100, 10_000, top), 200);
    assert.equal(backoffDelay(4, 100, 10_000, top), 800);
    assert.equal(backoffDelay(40, 100, 10_000, top), 10_000);
  });
});

describe('withRetry', () => {
  const isRetryable = (err: unknown) => err instanceof Transient;

  it('retries transient failures until one succeeds', async () => {
    let calls = 0;
    const result = await withRetry(
      (attempt) => {
        calls++;
        return attempt < 3 ? Promise.reject(new Transient('flaky')) : Promise.resolve('done');
      },
      { policy: fast, isRetryable },
    );
    assert.equal(result, 'done');
    assert.equal(calls, 3);
  });

  it('gives up after maxAttempts with the last error', async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(
        (attempt) => {
          calls++;
          return Promise.reject(new Transient(`try ${attempt}`));
        },
        { policy: fast, isRetryable },
      ),
      { message: 'try 4' },
    );
    assert.equal(calls, 4);
  });

  it('never retries what is not retryable', async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(
        () => {
          calls++;
          return Promise.reject(new Error('400 bad request'));
        },
        { policy: fast, isRetryable },
      ),
      { message: '400 bad request' },
    );
    assert.equal(calls, 1);
  });

  it('stops when the next wait would pass the deadline', async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(
        () => {
          calls++;
          return Promise.reject(new Transient('down'));
        },
        { policy: { maxAttempts: 100, baseDelayMs: 40, maxDelayMs: 40, deadlineMs: 100 }, isRetryable },
      ),
    );
    assert.ok(calls >= 2 && calls <= 6, `calls=${calls}`);
  });

  it('reports each retry and stops waiting when aborted', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    await assert.rejects(
      withRetry(() => Promise.reject(new Transient('down')), {
        policy: { maxAttempts: 10, baseDelayMs: 10_000, maxDelayMs: 10_000 },
        isRetryable,
        signal: controller.signal,
        onRetry: (_err, attempt) => {
          seen.push(attempt);
          controller.abort();
        },
      }),
      { message: 'down' },
    );
    assert.deepEqual(seen, [1]);
  });

  it('sleep rejects at once for an aborted signal', async () => {
    await assert.rejects(sleep(10_000, AbortSignal.abort()), { message: 'aborted' });
  });
});

describe('Retry-After parsing and capping', () => {
  const now = Date.parse('2026-11-30T05:00:00Z');

  it('reads delay-seconds and HTTP dates, and nothing else', () => {
    assert.equal(parseRetryAfter('2', now), 2000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter('Mon, 30 Nov 2026 05:00:07 GMT', now), 7000);
    assert.equal(parseRetryAfter('Mon, 30 Nov 2026 04:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter(undefined, now), undefined);
    assert.equal(parseRetryAfter('-1', now), undefined);
    assert.equal(parseRetryAfter('1.5', now), undefined);
    assert.equal(parseRetryAfter('2027', now), 2027000);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter('Mon, 99 Foo 2026', now), undefined);
  });

  it('never waits less than the backoff nor more than the cap', () => {
    assert.equal(honourRetryAfter(50, undefined, 10_000), 50);
    assert.equal(honourRetryAfter(50, 10, 10_000), 50);
    assert.equal(honourRetryAfter(50, 2000, 10_000), 2000);
    assert.equal(honourRetryAfter(50, 3_600_000, 10_000), 10_000);
  });
});

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { nextRetryDelay } from '../../../src/notify/retry-delay.js';

describe('notification retry delay', () => {
  it('doubles from the base and stops at the cap', () => {
    const top = { random: () => 0.999999, baseMs: 100, capMs: 5000 };
    assert.equal(nextRetryDelay(1, top), 100);
    assert.equal(nextRetryDelay(2, top), 200);
    assert.equal(nextRetryDelay(3, top), 400);
    assert.equal(nextRetryDelay(10, top), 5000);
    assert.equal(nextRetryDelay(10_000, top), 5000);
  });

  it('is jittered between half and all of the step, never above the cap (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (attempt, baseMs, capMs, r) => {
          const delay = nextRetryDelay(attempt, { baseMs, capMs, random: () => r });
          const step = Math.min(capMs, baseMs * 2 ** Math.min(attempt - 1, 30));
          assert.ok(delay >= Math.floor(step / 2) && delay <= Math.ceil(step), `${delay} vs step ${step}`);
        },
      ),
    );
  });

  it('has sensible defaults and treats attempt 0 like the first retry', () => {
    const low = { random: () => 0 };
    assert.equal(nextRetryDelay(1, low), 100);
    assert.equal(nextRetryDelay(0, low), 100);
    assert.ok(nextRetryDelay(50) <= 10_000);
  });
});

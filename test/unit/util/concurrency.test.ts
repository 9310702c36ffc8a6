import assert from 'node:assert/strict';
import { mapWithConcurrency } from '../../../src/util/concurrency.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('bounded concurrency', () => {
  it('processes every item, keeps the order, and never exceeds the limit', async () => {
    let inFlight = 0;
    let peak = 0;
    const items = Array.from({ length: 500 }, (_, i) => i);
    const results = await mapWithConcurrency(items, 7, async (item) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await tick();
      inFlight--;
      return item * 2;
    });
    assert.deepEqual(
      results,
      items.map((i) => i * 2),
    );
    assert.equal(peak, 7);
  });

  it('handles empty input and refuses a bad limit', async () => {
    assert.deepEqual(await mapWithConcurrency([], 4, () => Promise.resolve(1)), []);
    await assert.rejects(
      mapWithConcurrency([1], 0, () => Promise.resolve(1)),
      RangeError,
    );
  });

  it('starts no item after a failure and rethrows it once the calls in flight settle', async () => {
    const started: number[] = [];
    let settled = 0;
    const run = mapWithConcurrency([0, 1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      await tick();
      if (item === 0) throw new Error('first failed');
      await tick();
      settled++;
    });
    await assert.rejects(run, /first failed/);
    assert.deepEqual(started, [0, 1]);
    assert.equal(settled, 1);
  });
});

import assert from 'node:assert/strict';
import { mapWithConcurrency } from '../../../src/openstack/concurrency.js';
import type { NovaApi } from '../../../src/openstack/nova-api.js';
import { resetServersToError } from '../../support/reset-servers.js';

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

  it('resets every server through any NovaApi and reports failures per server', async () => {
    const reset: string[] = [];
    const fake: Pick<NovaApi, 'resetServerToError'> = {
      async resetServerToError(id) {
        await tick();
        if (id === 'bad') throw new Error('compute POST /servers/bad/action: HTTP 404 itemNotFound: gone');
        reset.push(id);
      },
    };
    const ids = [...Array.from({ length: 300 }, (_, i) => `s${i}`), 'bad'];
    const outcomes = await resetServersToError(fake, ids, 10);
    assert.equal(outcomes.length, 301);
    assert.equal(reset.length, 300);
    const failed = outcomes.filter((o) => !o.ok);
    assert.deepEqual(
      failed.map((o) => [o.id, o.error]),
      [['bad', 'compute POST /servers/bad/action: HTTP 404 itemNotFound: gone']],
    );
  });
});

import assert from 'node:assert/strict';
import type { ArrivalRecord } from '../../../src/consumer/recorder.js';
import { addCounts, countDeliveries } from '../../support/fault-injection/delivery-count.js';

const arrival = (
  server: string,
  id: string | undefined,
  extra: Partial<ArrivalRecord> = {},
): ArrivalRecord => ({
  receivedAtMs: 0,
  format: 'aodh',
  type: 'aodh.alarm',
  host: 'h1',
  server,
  duplicate: false,
  ...(id !== undefined ? { id } : {}),
  ...extra,
});

describe('countDeliveries', function () {
  it('counts notified and lost servers', function () {
    const c = countDeliveries([arrival('s1', 'a'), arrival('s2', 'b')], 'h1', ['s1', 's2', 's3']);
    assert.deepEqual(c, { expected: 3, notified: 2, lost: 1, duplicates: 0, duplicatesWithOtherId: 0 });
  });

  it('tells a repeat with the same id from one with another id or none', function () {
    const c = countDeliveries(
      [
        arrival('s1', 'a'),
        arrival('s1', 'a', { duplicate: true }),
        arrival('s1', 'z'),
        arrival('s1', undefined),
      ],
      'h1',
      ['s1'],
    );
    assert.equal(c.duplicates, 3);
    assert.equal(c.duplicatesWithOtherId, 2);
  });

  it('ignores other hosts, other types and servers it was not asked about', function () {
    const c = countDeliveries(
      [arrival('s1', 'a', { host: 'h2' }), arrival('s1', 'b', { type: 'aodh.ok' }), arrival('s9', 'c')],
      'h1',
      ['s1'],
    );
    assert.deepEqual(c, { expected: 1, notified: 0, lost: 1, duplicates: 0, duplicatesWithOtherId: 0 });
  });

  it('adds counts field by field', function () {
    const one = countDeliveries([arrival('s1', 'a'), arrival('s1', 'a')], 'h1', ['s1', 's2']);
    assert.deepEqual(addCounts(one, one), {
      expected: 4,
      notified: 2,
      lost: 2,
      duplicates: 2,
      duplicatesWithOtherId: 0,
    });
  });
});

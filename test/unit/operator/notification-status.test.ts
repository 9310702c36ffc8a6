// How remediation's notification list is stored: bounded, undelivered first, with a summary; read back
// (also from an older operator's `notifications`) as remediation knows it. And the status lists the
// inspector fills fit the bounds the CRD schema declares.
import assert from 'node:assert/strict';
import type { NotificationStatus } from '../../../src/api/types.js';
import { maxListedFaults, maxListedObservers } from '../../../src/api/schema/hosthealth.js';
import { maxClosedFaults, maxObserversPerHost } from '../../../src/inspector/engine-state.js';
import { fromStoredStatus, toStoredStatus } from '../../../src/operator/notification-status.js';

const entry = (
  consumer: string,
  id: string,
  state: 'delivered' | 'pending' | 'abandoned',
): NotificationStatus => ({
  consumer,
  id,
  delivered: state === 'delivered',
  attempts: 1,
  ...(state === 'abandoned' ? { abandoned: true } : {}),
});

describe('stored notification status', function () {
  it('lists undelivered entries first within the bound, and counts every entry per consumer', function () {
    const entries = [
      entry('a', '1', 'delivered'),
      entry('a', '2', 'delivered'),
      entry('b', '3', 'abandoned'),
      entry('a', '4', 'pending'),
      entry('b', '5', 'delivered'),
    ];
    const stored = toStoredStatus({ servers: { found: 5, markedError: 5 }, notifications: entries }, 3);
    assert.equal(stored.notifications, undefined);
    assert.deepEqual(
      (stored.webhooks as NotificationStatus[]).map((e) => e.id),
      ['4', '3', '1'],
    );
    assert.deepEqual(stored.notificationSummary, {
      total: 5,
      delivered: 3,
      pending: 1,
      abandoned: 1,
      listed: 3,
      consumers: [
        { consumer: 'a', delivered: 2, pending: 1, abandoned: 0 },
        { consumer: 'b', delivered: 1, pending: 0, abandoned: 1 },
      ],
    });
    assert.deepEqual(stored.servers, { found: 5, markedError: 5 });
    // A patch without the list is left alone.
    assert.deepEqual(toStoredStatus({ state: 'Down' }), { state: 'Down' });
  });

  it('reads the stored list back as remediation names it, from this operator or an older one', function () {
    const list = [entry('a', '1', 'delivered')];
    assert.deepEqual(fromStoredStatus({ state: 'Down', webhooks: list, notificationSummary: {} }), {
      state: 'Down',
      notifications: list,
    });
    assert.deepEqual(fromStoredStatus({ notifications: list }), { notifications: list });
    assert.deepEqual(fromStoredStatus({ state: 'Healthy' }), { state: 'Healthy' });
    assert.equal(fromStoredStatus(undefined), undefined);
  });

  it('declares schema bounds the inspector never exceeds', function () {
    assert.ok(maxObserversPerHost <= maxListedObservers);
    assert.ok(maxClosedFaults + 1 <= maxListedFaults);
  });
});

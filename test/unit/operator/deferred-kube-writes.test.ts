// Kubernetes writes of a report's turn start on the next turn, merged per host and in order, and a
// replica that stopped leading drops what is still queued.
import assert from 'node:assert/strict';
import { DeferredKubeWrites } from '../../../src/operator/deferred-kube-writes.js';
import { CoalescingStatusWriter } from '../../../src/runtime/coalescing-status-writer.js';
import { createLogger } from '../../../src/observability/logger.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function setUp(outcome: () => Promise<void> = () => Promise.resolve()) {
  const calls: string[] = [];
  const writer = new CoalescingStatusWriter(
    (name, status) => {
      calls.push(`${name} ${JSON.stringify(status)}`);
      return outcome();
    },
    createLogger('test', 'error'),
    { baseMs: 1, capMs: 2 },
  );
  return { calls, kube: new DeferredKubeWrites(writer) };
}

describe('deferred Kubernetes writes', function () {
  it('writes nothing in the calling turn, then one merged patch per host in the order of their first patch', async function () {
    const { calls, kube } = setUp();
    const order: string[] = [];
    const written = [
      kube.status('h2', { state: 'Down', timeline: { T03: 'a' } }),
      kube.status('h1', { observers: [] }),
      kube.status('h2', { timeline: { faultId: 'f' } }),
    ];
    kube.later(() => order.push(`event after ${calls.length} writes`));
    await Promise.resolve();
    assert.deepEqual(calls, [], 'no write starts in the turn that made them');
    await nextTurn();
    assert.deepEqual(calls, [
      'h2 {"state":"Down","timeline":{"T03":"a","faultId":"f"}}',
      'h1 {"observers":[]}',
    ]);
    assert.deepEqual(order, ['event after 2 writes']);
    await Promise.all(written);
  });

  it('passes a refused write on to every patch it carried', async function () {
    const { kube } = setUp(() => Promise.reject(Object.assign(new Error('gone'), { code: 404 })));
    const first = kube.status('h1', { state: 'Down' });
    const second = kube.status('h1', { message: 'm' });
    await assert.rejects(first, /gone/);
    await assert.rejects(second, /gone/);
  });

  it('drops what is queued when stopped', async function () {
    const { calls, kube } = setUp();
    let ran = false;
    const written = kube.status('h1', { state: 'Down' });
    kube.later(() => (ran = true));
    kube.stop('this replica stopped leading');
    await assert.rejects(written, /abandoned: this replica stopped leading/);
    await nextTurn();
    assert.deepEqual(calls, []);
    assert.equal(ran, false);
  });
});

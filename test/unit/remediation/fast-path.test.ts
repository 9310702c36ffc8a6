// The fault path does not wait: servers known ahead are reset while the live listing still runs, a
// server the live list adds is reset too, and a new fault on a node does not wait for the status write
// of the job it replaces.
import assert from 'node:assert/strict';
import type { HostDownInput } from '../../../src/remediation/index.js';
import { useExecutors } from './bed.js';
import { decision, eventually, gate, policy } from './fakes.js';

const node = 'compute-0';

function input(faultId?: string): HostDownInput {
  return { policy: policy(), node, novaHost: node, decision: decision(faultId) };
}

describe('remediation: fast path', function () {
  this.timeout(20_000);
  const bed = useExecutors();

  it('resets the servers known from the last refresh while the live listing runs, then the ones it adds', async () => {
    const b = bed();
    const known = b.nova.addServers(node, 4);
    const warm = await b.executor.warmUp(policy(), [node]);
    assert.deepEqual(warm.failures, []);
    const late = { ...known[0]!, id: 'created-after-refresh', name: 'late', state: 'active' };
    b.nova.servers.set(late.id, late);
    const listing = gate();
    b.nova.gates = { list: listing.promise };
    const running = b.executor.hostDown(input());
    await eventually(
      () => b.nova.callsOf('reset').length === known.length,
      2000,
      'the known servers to be reset before the listing answers',
    );
    assert.equal(b.nova.callsOf('reset').includes(`reset ${late.id}`), false);
    listing.open();
    await running;
    await b.executor.settled(node);
    assert.equal(late.state, 'error', 'the server created after the refresh is reset');
    assert.equal(b.nova.callsOf('reset').length, known.length + 1, 'each server reset once');
    assert.deepEqual(b.store.status(node).servers, { found: 5, markedError: 5 });
  });

  it('fences the host first: no reset starts before Nova answered the force-down', async () => {
    const b = bed();
    b.nova.addServers(node, 20);
    await b.executor.warmUp(policy(), [node]);
    const forceDown = gate();
    b.nova.gates = { forceDown: forceDown.promise };
    const running = b.executor.hostDown(input());
    await eventually(() => b.nova.callsOf('forceDown').length === 1, 2000, 'the force-down');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(b.nova.callsOf('reset').length, 0, 'no reset while the force-down is unanswered');
    forceDown.open();
    await running;
    assert.equal(b.nova.callsOf('reset').length, 20, 'every server is reset once it is answered');
  });

  it('starts a new fault on Nova without waiting for the replaced job to write its status', async () => {
    const b = bed();
    b.nova.addServers(node, 3);
    b.store.writeDelayMs = 3_000; // an API server that answers slowly
    const first = b.executor.hostDown(input('aaaaaaaaaaaaaaaa'));
    await eventually(() => b.nova.callsOf('reset').length === 3, 2000, 'the first fault to reset');
    b.nova.calls.length = 0;
    const started = Date.now();
    // The first job still has its status writes in flight when the second fault replaces it.
    const second = b.executor.hostDown(input('bbbbbbbbbbbbbbbb'));
    await eventually(
      () => b.nova.callsOf('forceDown').length === 1 && b.nova.callsOf('reset').length === 3,
      1500,
      'force-down and resets of the new fault',
    );
    assert.ok(Date.now() - started < 1_500);
    b.store.writeDelayMs = 0;
    await Promise.allSettled([first, second]);
    await b.executor.settled(node);
    // The replaced job's last write landed first: the new fault is what status shows.
    assert.equal(b.store.status(node).remediation?.faultId, 'bbbbbbbbbbbbbbbb');
    assert.equal(b.store.status(node).timeline?.faultId, 'bbbbbbbbbbbbbbbb');
    assert.ok(b.store.status(node).timeline?.T08, 'the new fault finished');
  });
});

// hostRecovered: un-force, remove the taint, tell every consumer the host is up; idempotent.
import assert from 'node:assert/strict';
import type { HostRecoveredInput } from '../../../src/remediation/index.js';
import { useExecutors } from './bed.js';
import { decision, MemoryStatusStore, policy, target } from './fakes.js';
import { assertEvery } from '../../support/assert-every.js';

const node = 'compute-2';
const faultId = 'deadbeefdeadbeef';

function recovered(p = policy()): HostRecoveredInput {
  return { policy: p, node, novaHost: node, faultId, at: new Date().toISOString() };
}

const twoFormats = policy({
  notify: [
    target({ name: 'aodh', url: 'http://127.0.0.1:5/failure' }),
    target({ name: 'ce', url: 'http://127.0.0.1:6/events', format: 'cloudevents' }),
  ],
});

describe('remediation: host recovered', function () {
  this.timeout(20_000);
  const bed = useExecutors();

  it('un-forces, removes the taint and notifies "up": per alarmed server (Aodh), once per host (CloudEvents)', async () => {
    const b = bed();
    b.nova.addServers(node, 3);
    await b.executor.hostDown({ policy: twoFormats, node, novaHost: node, decision: decision(faultId) });
    await b.executor.settled(node);
    b.consumers.attempts.length = 0;

    const result = await b.executor.hostRecovered(recovered(twoFormats));
    await b.executor.settled(node);
    assert.equal(result.unforced, true);
    assert.equal(result.untainted, true);
    assert.equal(b.nova.forcedDown.get(node), false);
    assert.deepEqual(b.tainter.taints.get(node), []);

    const aodh = b.consumers.attempts.filter((a) => a.url.endsWith('/failure'));
    assert.equal(aodh.length, 3);
    for (const a of aodh) assert.equal((JSON.parse(a.body) as { current: string }).current, 'ok');
    const ce = b.consumers.attempts.filter((a) => a.url.endsWith('/events'));
    assert.equal(ce.length, 1);
    const event = JSON.parse(ce[0]?.body ?? '{}') as { type: string; data: { servers: unknown[] } };
    assert.equal(event.type, 'io.doctor.host.up');
    assert.equal(event.data.servers.length, 3);

    const status = b.store.status(node);
    assert.equal(status.remediation?.unforce?.state, 'Done');
    assert.equal(status.remediation?.untaint?.state, 'Done');
    assert.equal(status.remediation?.notifyUp?.state, 'Done');
    assert.equal(status.notifications?.filter((n) => n.kind === 'host.down').length, 6, 'down entries kept');
    assert.equal(status.notifications?.filter((n) => n.kind === 'host.up' && n.delivered).length, 4);
    for (const reason of ['NovaServiceUnforced', 'NodeUntainted', 'ConsumersNotified'])
      assert.ok(b.events.reasons().includes(reason), reason);
    assert.ok(b.events.reasons('Node').includes('NodeUntainted'));
    // HostRecovered is the inspector's Event: the job records only its steps.
    assert.ok(!b.events.reasons().includes('HostRecovered'));
  });

  it('is idempotent: called again (same or new operator) it repeats nothing', async () => {
    const b = bed();
    b.nova.addServers(node, 2);
    await b.executor.hostDown({ policy: twoFormats, node, novaHost: node, decision: decision(faultId) });
    await b.executor.hostRecovered(recovered(twoFormats));
    await b.executor.settled(node);
    const calls = b.nova.calls.length;
    const sent = b.consumers.attempts.length;
    await b.executor.hostRecovered(recovered(twoFormats));
    assert.equal(b.nova.calls.length, calls);
    assert.equal(b.consumers.attempts.length, sent);

    const store = new MemoryStatusStore({ [node]: structuredClone(b.store.status(node)) });
    const fresh = bed({ store });
    await fresh.executor.hostRecovered(recovered(twoFormats));
    await fresh.executor.settled(node);
    assert.deepEqual(fresh.nova.calls, []);
    assert.equal(fresh.consumers.attempts.length, 0);
    assert.ok(!fresh.events.reasons().includes('NodeUntainted'));
  });

  it('gives up "down" notifications still pending when the host recovers, and stops retrying them', async () => {
    const b = bed();
    b.nova.addServers(node, 2);
    b.consumers.down = (url) => url.endsWith('/failure');
    await b.executor.hostDown({ policy: twoFormats, node, novaHost: node, decision: decision(faultId) });
    const result = await b.executor.hostRecovered(recovered(twoFormats));
    await b.executor.settled(node);
    assert.equal(result.downNotificationsAbandoned, 2);
    const countAfter = b.consumers.attempts.filter((a) => a.url.endsWith('/failure')).length;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(b.consumers.attempts.filter((a) => a.url.endsWith('/failure')).length, countAfter);
    const downs = b.store
      .status(node)
      .notifications?.filter((n) => n.kind === 'host.down' && n.consumer === 'aodh');
    assertEvery(
      downs,
      (n) => n.abandoned === true && /recovered/.test(n.lastError ?? ''),
      'undelivered down notifications are abandoned on recovery',
    );
    // The Aodh consumer never got an alarm, so it gets no "ok" either; the CloudEvents one hears "up".
    assert.equal(b.store.status(node).notifications?.filter((n) => n.kind === 'host.up').length, 1);
  });

  it('leaves forced_down alone when the policy says unforceOnRecovery false (and never forces by itself)', async () => {
    const b = bed();
    const p = policy({}, { unforceOnRecovery: false });
    await b.executor.hostRecovered(recovered(p));
    await b.executor.settled(node);
    assert.deepEqual(b.nova.callsOf('unforce'), []);
    assert.equal(b.store.status(node).remediation?.unforce?.state, 'Skipped');
    assert.equal(b.store.status(node).remediation?.untaint?.state, 'Done');
  });

  it('retries a failed un-force with backoff', async () => {
    const b = bed();
    let failures = 1;
    b.nova.fail = (op) => (op === 'unforce' && failures-- > 0 ? new Error('socket hang up') : undefined);
    await b.executor.hostRecovered(recovered());
    await b.executor.settled(node);
    assert.equal(b.nova.callsOf('unforce').length, 2);
    assert.equal(b.store.status(node).remediation?.unforce?.state, 'Done');
  });
});

// A restarted operator calls hostDown again for the same fault: status says what is finished, and
// nothing finished is repeated — above all, no delivered notification is sent again.
import assert from 'node:assert/strict';
import { type HostDownInput, type RemediationView } from '../../../src/remediation/index.js';
import { useExecutors } from './bed.js';
import { decision, eventually, FakeConsumers, FakeNova, MemoryStatusStore, policy, target } from './fakes.js';
import { assertEvery } from '../../support/assert-every.js';

const node = 'compute-1';

function input(d = decision('cafecafecafecafe'), p = policy()): HostDownInput {
  return { policy: p, node, novaHost: node, decision: { ...d, reopened: true } };
}

describe('remediation: resume after a restart', function () {
  this.timeout(20_000);
  const bed = useExecutors();

  it('skips finished steps (T04, T05, taint) and sends only the notifications not yet delivered', async () => {
    // First operator: everything done except some deliveries.
    const nova = new FakeNova();
    nova.addServers(node, 6);
    const store = new MemoryStatusStore();
    const consumers = new FakeConsumers();
    let refused = 0;
    consumers.down = () => refused++ % 2 === 0; // every other delivery fails
    const first = bed({ nova, store, consumers });
    const d = decision('cafecafecafecafe');
    await first.executor.hostDown(input(d));
    await first.executor.stop();
    const before = store.status(node);
    const delivered = (before.notifications ?? []).filter((n) => n.delivered).map((n) => n.id);
    assert.ok(delivered.length > 0 && delivered.length < 6, `some delivered: ${delivered.length}`);
    assert.ok(before.timeline?.T04 && before.timeline.T05);

    // Second operator, same status and fault.
    nova.calls.length = 0;
    consumers.attempts.length = 0;
    consumers.down = () => false;
    const second = bed({ nova, store, consumers });
    const result = await second.executor.hostDown(input(d));
    await second.executor.settled(node);
    assert.equal(result.resumed, true);
    assert.deepEqual(
      nova.calls.filter((c) => !c.startsWith('list')),
      [],
      'no force-down or reset again',
    );
    assert.equal(second.tainter.calls.length, 0, 'taint not re-applied');
    const resent = consumers.attempts.map((a) => a.id);
    for (const id of delivered) assert.ok(!resent.includes(id), `delivered ${id} not sent again`);
    assert.equal(resent.length, 6 - delivered.length);
    const after = store.status(node);
    assert.equal(after.notifications?.length, 6);
    assert.ok(after.notifications?.every((n) => n.delivered));
    assert.equal(after.timeline?.T04, before.timeline.T04, 'T04 kept');
    assert.ok(after.timeline?.T07 && after.timeline.T08);
    assert.ok(!second.events.reasons().includes('HostDown'), 'no second HostDown Event');
  });

  it('sends a pending notification from status even when its server is no longer listed on the host', async () => {
    const d = decision('1111222233334444');
    const nova = new FakeNova(); // the server was evacuated: Nova lists nothing on the host now
    const seed = bed({ nova });
    // Build the entry the first operator would have stored, by running it against a consumer that is down.
    const seedNova = new FakeNova();
    seedNova.addServers(node, 1, ['tenant-x']);
    const firstStore = new MemoryStatusStore();
    const firstConsumers = new FakeConsumers();
    firstConsumers.down = () => true;
    const first = bed({ nova: seedNova, store: firstStore, consumers: firstConsumers });
    await first.executor.hostDown(input(d));
    await first.executor.stop();
    const stored = firstStore.status(node);
    assert.equal(stored.notifications?.[0]?.delivered, false);

    const store = new MemoryStatusStore({ [node]: stored });
    const second = bed({ nova, store, consumers: seed.consumers });
    await second.executor.hostDown(input(d));
    await second.executor.settled(node);
    assert.equal(seed.consumers.attempts.length, 1);
    assert.match(seed.consumers.attempts[0]?.body ?? '', /"tenant_id",1,"tenant-x"/);
    assert.equal(store.status(node).notifications?.[0]?.id, stored.notifications?.[0]?.id);
    assert.equal(store.status(node).notifications?.[0]?.delivered, true);
  });

  it('does nothing at all when status shows the fault fully handled', async () => {
    const b = bed();
    b.nova.addServers(node, 3);
    await b.executor.hostDown(input());
    await b.executor.settled(node);
    const done = structuredClone(b.store.status(node));
    const store = new MemoryStatusStore({ [node]: done });
    const nova = new FakeNova();
    nova.addServers(node, 3);
    const again = bed({ nova, store });
    await again.executor.hostDown(input());
    await again.executor.settled(node);
    assert.deepEqual(nova.calls, []);
    assert.equal(again.consumers.attempts.length, 0);
    assert.equal(again.tainter.calls.length, 0);
    assert.equal(store.status(node).timeline?.T08, done.timeline?.T08, 'T08 not rewritten');
  });

  it('ignores notification entries of an earlier fault (their ids do not match this fault)', async () => {
    const old: RemediationView = {
      remediation: { faultId: '9999999999999999', forceDown: { state: 'Done' } },
      timeline: { faultId: '9999999999999999', T04: new Date().toISOString() },
      notifications: [
        {
          consumer: 'vnfm',
          id: 'not-this-fault',
          kind: 'host.down',
          server: 'x',
          project: 'p',
          delivered: true,
          attempts: 1,
        },
      ],
    };
    const b = bed({}, {}, { [node]: old });
    b.nova.addServers(node, 2);
    const result = await b.executor.hostDown(input());
    await b.executor.settled(node);
    assert.equal(result.resumed, false);
    assert.equal(b.nova.callsOf('forceDown').length, 1, 'an earlier fault does not count');
    const ids = (b.store.status(node).notifications ?? []).map((n) => n.id);
    assert.equal(ids.length, 2);
    assert.ok(!ids.includes('not-this-fault'));
  });

  it('abandons pending entries of a consumer removed from the policy instead of retrying them forever', async () => {
    const d = decision('abababababababab');
    const nova = new FakeNova();
    nova.addServers(node, 2);
    const twoTargets = policy({ notify: [target(), target({ name: 'gone', url: 'http://127.0.0.1:9/x' })] });
    const consumers = new FakeConsumers();
    consumers.down = (url) => url.endsWith('/x');
    const store = new MemoryStatusStore();
    const first = bed({ nova, store, consumers });
    await first.executor.hostDown(input(d, twoTargets));
    await first.executor.stop();
    const second = bed({ nova, store });
    await second.executor.hostDown(input(d, policy()));
    await second.executor.settled(node);
    const entries = store.status(node).notifications ?? [];
    assertEvery(
      entries.filter((n) => n.consumer === 'gone'),
      (n) => n.abandoned === true,
      'notifications to the removed consumer are abandoned',
    );
    assert.equal(second.consumers.attempts.length, 0);
    await eventually(() => store.status(node).remediation?.notify?.state === 'Failed');
  });
});

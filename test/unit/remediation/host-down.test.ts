// hostDown with fakes: parallel steps, status progress, notifications per server, project filter, Events.
import assert from 'node:assert/strict';
import { OpenStackHttpError } from '../../../src/openstack/index.js';
import {
  defaultRemediationOptions,
  hostDownTaintKey,
  type HostDownInput,
} from '../../../src/remediation/index.js';
import { useExecutors } from './bed.js';
import { decision, eventually, gate, policy, target } from './fakes.js';
import { assertEvery } from '../../support/assert-every.js';

const node = 'compute-0';

function input(p = policy(), d = decision()): HostDownInput {
  return { policy: p, node, novaHost: node, decision: d };
}

describe('remediation: host down', function () {
  this.timeout(20_000);
  const bed = useExecutors();

  it('starts force-down, the server listing and the taint before any of them finishes', async () => {
    const b = bed();
    b.nova.addServers(node, 3);
    const held = gate();
    b.nova.gates = { forceDown: held.promise, list: held.promise };
    b.tainter.gate = held.promise;
    const running = b.executor.hostDown(input());
    await eventually(
      () =>
        b.nova.callsOf('forceDown').length === 1 &&
        b.nova.callsOf('list').length === 1 &&
        b.tainter.calls.length === 1,
      2000,
      'all three steps to start',
    );
    // Nothing finished yet: every step is held at the gate, yet all three have started.
    assert.equal(b.store.status(node).timeline?.T04, undefined);
    held.open();
    const result = await running;
    assert.equal(result.forcedDown, true);
    assert.equal(result.serversMarkedError, 3);
  });

  it('forces down, resets every server, taints, notifies per server and records T01-T08 in few writes', async () => {
    const b = bed();
    b.nova.addServers(node, 200);
    const p = policy({
      notify: [target(), target({ name: 'ce', url: 'http://127.0.0.1:2/e', format: 'cloudevents' })],
    });
    const d = decision();
    const result = await b.executor.hostDown({
      ...input(p, d),
      injectedAt: new Date(Date.parse(d.detectedAt) - 5).toISOString(),
    });
    await b.executor.settled(node);

    assert.deepEqual(result.failures, []);
    assert.equal(b.nova.forcedDown.get(node), true);
    assert.ok([...b.nova.servers.values()].every((s) => s.state === 'error'));
    assert.ok(
      b.nova.maxInFlight <= defaultRemediationOptions.resetConcurrency,
      `reset concurrency bounded, saw ${b.nova.maxInFlight}`,
    );
    assert.deepEqual(b.tainter.taints.get(node), [
      { key: hostDownTaintKey, value: d.faultId, effect: 'NoSchedule' },
    ]);

    const status = b.store.status(node);
    assert.equal(status.novaServiceId, `svc-${node}`);
    assert.deepEqual(status.servers, { found: 200, markedError: 200 });
    const t = status.timeline ?? {};
    assert.equal(t.faultId, d.faultId);
    assert.equal(t.T01, d.detectedAt);
    assert.equal(t.T02, d.firstReportReceivedAt);
    assert.equal(t.T03, d.declaredAt);
    for (const point of ['T00', 'T04', 'T05', 'T06', 'T07', 'T08'] as const)
      assert.ok(t[point], `${point} set`);
    assert.ok(Date.parse(t.T06 ?? '') <= Date.parse(t.T07 ?? ''));
    assert.ok(Date.parse(t.T07 ?? '') <= Date.parse(t.T08 ?? ''));

    const notifications = status.notifications ?? [];
    assert.equal(notifications.length, 400);
    assert.ok(notifications.every((n) => n.delivered && n.attempts === 1 && n.kind === 'host.down'));
    assert.equal(new Set(notifications.map((n) => `${n.consumer}/${n.id}`)).size, 400);
    assert.equal(b.consumers.attempts.length, 400);
    for (const step of ['forceDown', 'resetServers', 'taint', 'notify'] as const)
      assert.equal(status.remediation?.[step]?.state, 'Done', step);
    // 200 servers x 2 consumers must not mean hundreds of writes.
    assert.ok(b.store.writesFor(node) <= 15, `status writes: ${b.store.writesFor(node)}`);

    const aodh = JSON.parse(b.consumers.attempts.find((a) => a.url.endsWith('/failure'))?.body ?? '{}') as {
      reason_data: { event: { traits: [string, number, string][] } };
      current: string;
    };
    assert.equal(aodh.current, 'alarm');
    assert.deepEqual(
      aodh.reason_data.event.traits.map(([name]) => name),
      ['state', 'instance_id', 'host', 'tenant_id'],
    );
    const cloudEvent = JSON.parse(b.consumers.attempts.find((a) => a.url.endsWith('/e'))?.body ?? '{}') as {
      type: string;
      data: { server: { state: string } };
    };
    assert.equal(cloudEvent.type, 'io.doctor.server.error');
    assert.equal(cloudEvent.data.server.state, 'error');
    // HostDown is the inspector's Event: the job records only its steps.
    assert.ok(!b.events.reasons().includes('HostDown'));
    for (const reason of ['NovaServiceForcedDown', 'ServersResetToError', 'NodeTainted', 'ConsumersNotified'])
      assert.ok(b.events.reasons().includes(reason), reason);
    assert.ok(b.events.reasons('Node').includes('NodeTainted'));
  });

  it("notifies about a server only after Nova accepted that server's reset", async () => {
    const b = bed();
    b.nova.addServers(node, 20);
    const held = gate();
    b.nova.gates = { reset: held.promise };
    const running = b.executor.hostDown(input());
    await eventually(() => b.nova.callsOf('reset').length === 20, 2000, 'all resets to start');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(b.consumers.attempts.length, 0, 'nobody told while the resets are pending');
    held.open();
    await running;
    assert.equal(b.consumers.attempts.length, 20);
    assert.match(b.consumers.attempts[0]?.body ?? '', /"state",1,"error"/);
  });

  it('sends a target only the servers of its projects', async () => {
    const b = bed();
    b.nova.addServers(node, 10, ['p1', 'p2']);
    const p = policy({
      notify: [
        target({ name: 'only-p1', url: 'http://127.0.0.1:3/a', projects: ['p1'] }),
        target({ name: 'all', url: 'http://127.0.0.1:4/b' }),
      ],
    });
    await b.executor.hostDown(input(p));
    await b.executor.settled(node);
    const p1 = b.consumers.attempts.filter((a) => a.url.endsWith('/a'));
    assert.equal(p1.length, 5);
    for (const a of p1) assert.match(a.body, /"tenant_id",1,"p1"/);
    assert.equal(b.consumers.idsTo('http://127.0.0.1:4/b').length, 10);
    assert.equal(b.store.status(node).timeline?.T07 !== undefined, true);
  });

  it('lists servers to notify even when the policy does not reset them, and reports their own state', async () => {
    const b = bed();
    b.nova.addServers(node, 4);
    await b.executor.hostDown(input(policy({}, { resetServers: false })));
    await b.executor.settled(node);
    assert.equal(b.nova.callsOf('reset').length, 0);
    assert.equal(b.consumers.attempts.length, 4);
    assert.match(b.consumers.attempts[0]?.body ?? '', /"state",1,"active"/);
    const status = b.store.status(node);
    assert.equal(status.remediation?.resetServers?.state, 'Skipped');
    assert.equal(status.timeline?.T05, undefined);
    assert.ok(status.timeline?.T07);
  });

  it('signs with the key from the target secretRef, and retries while that Secret is missing', async () => {
    const b = bed();
    b.nova.addServers(node, 2);
    const p = policy({ notify: [target({ secretRef: { name: 'late', key: 'key' } })] });
    const running = b.executor.hostDown(input(p));
    await running;
    assert.equal(b.consumers.attempts.length, 0, 'nothing sent unsigned');
    assertEvery(
      b.store.status(node).notifications,
      (n) => /late/.test(n.lastError ?? ''),
      'each notification says the key is missing',
    );
    b.secrets.values['late/key'] = 'secret';
    await b.executor.settled(node);
    assert.equal(b.consumers.attempts.length, 2);
    assert.ok(b.consumers.attempts.every((a) => a.signed));
  });

  it('keeps retrying a consumer that is down until it takes every notification, recording attempts', async () => {
    const b = bed();
    b.nova.addServers(node, 5);
    let up = false;
    b.consumers.down = () => !up;
    await b.executor.hostDown(input());
    await eventually(() => b.consumers.attempts.length >= 15, 5000, 'several rounds of retries');
    const midway = b.store.status(node);
    await eventually(
      () =>
        (b.store.status(node).notifications ?? []).some((n) => n.attempts > 1 && n.lastError !== undefined),
      3000,
      'attempts and errors in status',
    );
    assert.equal(midway.timeline?.T07, undefined);
    up = true;
    await b.executor.settled(node);
    const status = b.store.status(node);
    assert.equal(status.notifications?.length, 5);
    assert.ok(status.notifications?.every((n) => n.delivered && n.attempts > 1 && n.lastError === undefined));
    assert.ok(status.timeline?.T07);
    const deliveredIds = b.consumers.delivered().map((a) => a.id);
    assert.equal(new Set(deliveredIds).size, deliveredIds.length, 'each delivered once');
  });

  it('gives up a notification older than the max age with a Warning, and finishes', async () => {
    const b = bed({}, { notificationMaxAgeMs: 60_000 });
    b.nova.addServers(node, 2);
    b.consumers.down = () => true;
    await b.executor.hostDown(input(policy(), decision('0123456789abcdef', new Date(Date.now() - 120_000))));
    await b.executor.settled(node);
    const status = b.store.status(node);
    assertEvery(status.notifications, (n) => n.abandoned === true && !n.delivered, 'too old: abandoned');
    assert.equal(status.remediation?.notify?.state, 'Failed');
    assert.equal(status.timeline?.T07, undefined);
    assert.ok(status.timeline?.T08);
    assert.ok(b.events.events.some((e) => e.reason === 'NotificationsAbandoned' && e.type === 'Warning'));
  });

  it('retries a Nova step that failed with 503, recording RemediationFailed, until it works', async () => {
    const b = bed();
    b.nova.addServers(node, 3);
    let failures = 2;
    b.nova.fail = (op) =>
      op === 'forceDown' && failures-- > 0
        ? new OpenStackHttpError('compute', 'PUT', '/os-services/x', 503, '', 'unavailable')
        : undefined;
    const result = await b.executor.hostDown(input());
    assert.equal(result.forcedDown, false);
    assert.equal(result.failures[0]?.step, 'forceDown');
    await b.executor.settled(node);
    const status = b.store.status(node);
    assert.equal(status.remediation?.forceDown?.state, 'Done');
    assert.equal(status.remediation?.forceDown?.attempts, 3);
    assert.ok(status.timeline?.T04);
    assert.equal(b.events.events.filter((e) => e.reason === 'RemediationFailed').length, 2);
  });

  it('does not retry what Nova refused (4xx), and marks the step Failed', async () => {
    const b = bed();
    b.nova.addServers(node, 1);
    b.nova.fail = (op) =>
      op === 'forceDown'
        ? new OpenStackHttpError('compute', 'PUT', '/os-services/x', 400, 'badRequest', 'no')
        : undefined;
    await b.executor.hostDown(input());
    await b.executor.settled(node);
    assert.equal(b.nova.callsOf('forceDown').length, 1);
    const status = b.store.status(node);
    assert.equal(status.remediation?.forceDown?.state, 'Failed');
    assert.match(status.remediation?.forceDown?.message ?? '', /HTTP 400/);
    assert.equal(status.remediation?.resetServers?.state, 'Done', 'other steps went on');
    assert.ok(b.events.events.some((e) => e.reason === 'RemediationFailed' && /giving up/.test(e.message)));
  });

  it('resets only the servers that failed when it retries, and counts deleted ones as handled', async () => {
    const b = bed();
    const servers = b.nova.addServers(node, 6);
    const flaky = servers[1]?.id;
    const deleted = servers[2]?.id;
    let flakyFailures = 2;
    b.nova.fail = (op, id) => {
      if (op === 'reset' && id === flaky && flakyFailures-- > 0)
        return new OpenStackHttpError('compute', 'POST', '/servers/x/action', 503, '', 'busy');
      if (op === 'reset' && id === deleted)
        return new OpenStackHttpError('compute', 'POST', '/servers/x/action', 404, 'itemNotFound', 'gone');
      return undefined;
    };
    await b.executor.hostDown(input());
    await b.executor.settled(node);
    assert.equal(b.nova.callsOf('reset').length, 6 + 2);
    assert.equal(b.nova.callsOf('list').length, 1);
    const status = b.store.status(node);
    assert.deepEqual(status.servers, { found: 6, markedError: 5 });
    assert.ok(status.timeline?.T05);
    assert.equal(status.notifications?.length, 5, 'the deleted server is not notified');
    assert.equal(b.consumers.attempts.length, 5, 'the flaky server is notified once');
  });

  it('records a Nova client problem (missing Secret) as a failed attempt and recovers when it appears', async () => {
    const b = bed();
    delete b.secrets.values['openstack-clouds/clouds.yaml'];
    b.nova.addServers(node, 2);
    await b.executor.hostDown(input());
    assert.match(b.store.status(node).remediation?.forceDown?.message ?? '', /cloudSecretRef/);
    b.secrets.values['openstack-clouds/clouds.yaml'] = 'clouds: {}';
    await b.executor.settled(node);
    assert.equal(b.store.status(node).remediation?.forceDown?.state, 'Done');
  });

  it('runs one job for the same decision given twice', async () => {
    const b = bed();
    b.nova.addServers(node, 3);
    const [first, second] = await Promise.all([b.executor.hostDown(input()), b.executor.hostDown(input())]);
    await b.executor.hostDown(input());
    assert.deepEqual(first, second);
    assert.equal(b.nova.callsOf('forceDown').length, 1);
    assert.equal(b.nova.callsOf('list').length, 1);
    assert.equal(b.consumers.attempts.length, 3);
  });

  it('starts a new fault clean: earlier times, counts and notifications are cleared', async () => {
    const b = bed();
    b.nova.addServers(node, 2);
    await b.executor.hostDown(input(policy(), decision('aaaaaaaaaaaaaaaa')));
    await b.executor.settled(node);
    const earlierIds = new Set((b.store.status(node).notifications ?? []).map((n) => n.id));
    assert.equal(earlierIds.size, 2);
    b.nova.fail = (op) => (op === 'list' || op === 'reset' ? new Error('connect ECONNREFUSED') : undefined);
    await b.executor.hostDown(input(policy(), decision('bbbbbbbbbbbbbbbb')));
    const status = b.store.status(node);
    assert.equal(status.timeline?.faultId, 'bbbbbbbbbbbbbbbb');
    assert.equal(status.timeline?.T05, undefined);
    assert.equal(status.timeline?.T07, undefined);
    assert.equal(status.remediation?.faultId, 'bbbbbbbbbbbbbbbb');
    // The two servers known from the first fault were tried at once; none is marked yet.
    assert.equal(status.servers?.markedError, 0);
    assert.ok(
      (status.notifications ?? []).every((n) => !earlierIds.has(n.id)),
      'no notification of the earlier fault is kept',
    );
  });

  it('refuses bad input with an error naming the field', async () => {
    const b = bed();
    await assert.rejects(b.executor.hostDown({ ...input(), node: '' }), /node must be a non-empty string/);
    await assert.rejects(
      b.executor.hostDown({ ...input(), decision: { ...decision(), declaredAt: 'yesterday' } }),
      /decision\.declaredAt must be an RFC 3339 time/,
    );
    await assert.rejects(
      b.executor.hostDown({ ...input(), decision: { ...decision(), faultId: '' } }),
      /decision\.faultId/,
    );
  });

  it('stop() cancels retry timers: nothing is attempted afterwards, and later calls are refused', async () => {
    const b = bed();
    b.nova.addServers(node, 3);
    b.consumers.down = () => true;
    await b.executor.hostDown(input());
    await b.executor.stop();
    const count = b.consumers.attempts.length;
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(b.consumers.attempts.length, count);
    await assert.rejects(b.executor.hostDown(input()), /stopped/);
  });
});

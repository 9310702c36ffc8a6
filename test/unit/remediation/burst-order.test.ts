// Faults that arrive together: every force-down before any reset, Kubernetes writes after the Nova work,
// each wait bounded. First the scheduling alone, then through the executor on fakes.
import assert from 'node:assert/strict';
import { BurstOrder } from '../../../src/remediation/burst-order.js';
import type { HostDownInput } from '../../../src/remediation/index.js';
import { useExecutors } from './bed.js';
import { decision, eventually, gate, policy } from './fakes.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether `promise` settled within `ms`. */
async function settlesWithin(promise: Promise<unknown> | undefined, ms: number): Promise<boolean> {
  if (promise === undefined) return true;
  let done = false;
  void promise.then(() => (done = true));
  await sleep(ms);
  return done;
}

describe('burst order (scheduling)', function () {
  this.timeout(10_000);

  it('holds the resets until every announced force-down is answered', async () => {
    const order = new BurstOrder({ fenceHoldMs: 5_000, kubeHoldMs: 5_000 });
    assert.equal(order.forceDownsAnswered(), undefined, 'nothing announced: no wait');
    order.expectForceDown('a');
    order.expectForceDown('b');
    const answered = order.forceDownsAnswered();
    order.forceDownSettled('a');
    assert.equal(await settlesWithin(answered, 30), false, 'b is still unanswered');
    order.forceDownSettled('b');
    assert.equal(await settlesWithin(answered, 30), true);
    assert.equal(order.pendingForceDowns, 0);
  });

  it('lets the resets go after fenceHoldMs when a force-down never settles', async () => {
    const order = new BurstOrder({ fenceHoldMs: 80, kubeHoldMs: 5_000 });
    order.expectForceDown('silent');
    const started = performance.now();
    await order.forceDownsAnswered();
    const waited = performance.now() - started;
    assert.ok(waited >= 70 && waited < 1_000, `waited ${waited} ms`);
    assert.equal(order.forceDownsAnswered(), undefined, 'an expired announcement holds nothing more');
  });

  it('defers Kubernetes writes while Nova work is in flight, and no longer than kubeHoldMs', async () => {
    const order = new BurstOrder({ fenceHoldMs: 1_000, kubeHoldMs: 5_000 });
    assert.equal(order.kubeTurn(), undefined, 'no Nova work: write now');
    const doneA = order.novaWorkStarted();
    const doneB = order.novaWorkStarted();
    const writes: string[] = [];
    const write = order.afterNova(() => Promise.resolve(writes.push('status')));
    doneA();
    doneA(); // idempotent: B's work still counts
    await sleep(30);
    assert.deepEqual(writes, [], 'B still works on Nova');
    doneB();
    await write;
    assert.deepEqual(writes, ['status']);

    const bounded = new BurstOrder({ fenceHoldMs: 1_000, kubeHoldMs: 80 });
    bounded.novaWorkStarted(); // never done
    const started = performance.now();
    await bounded.kubeTurn();
    const waited = performance.now() - started;
    assert.ok(waited >= 70 && waited < 1_000, `waited ${waited} ms`);
  });

  it('release() lets every waiter go, and later ones too', async () => {
    const order = new BurstOrder({ fenceHoldMs: 60_000, kubeHoldMs: 60_000 });
    order.expectForceDown('a');
    order.novaWorkStarted();
    const fence = order.forceDownsAnswered();
    const kube = order.kubeTurn();
    order.release();
    assert.equal(await settlesWithin(Promise.all([fence, kube]), 30), true);
    order.expectForceDown('b');
    assert.equal(order.forceDownsAnswered(), undefined, 'a released order holds nothing any more');
    assert.equal(order.kubeTurn(), undefined);
  });
});

describe('burst order (executor)', function () {
  this.timeout(20_000);
  const bed = useExecutors();
  const input = (node: string): HostDownInput => ({
    policy: policy(),
    node,
    novaHost: node,
    decision: decision(),
  });

  it('resets no server of a host already started before the force-down announced after it is answered', async () => {
    const b = bed();
    b.nova.addServers('compute-0', 5);
    b.nova.addServers('compute-1', 5);
    await b.executor.warmUp(policy(), ['compute-0', 'compute-1']);
    // The second host's force-down is held at Nova; the first host's is answered at once.
    const held = gate();
    const forceDown = b.nova.forceDown.bind(b.nova);
    b.nova.forceDown = async (host) => {
      if (host === 'compute-1') await held.promise;
      return forceDown(host);
    };
    // The operator announces both hosts of the report, then starts them one after the other.
    b.executor.expectHostDown(policy(), 'compute-1');
    const first = b.executor.hostDown(input('compute-0'));
    await eventually(() => b.nova.forcedDown.get('compute-0') === true, 2000, 'compute-0 forced down');
    await sleep(50);
    assert.equal(b.nova.callsOf('reset').length, 0, 'no reset while compute-1 is announced');
    const second = b.executor.hostDown(input('compute-1'));
    await sleep(50);
    assert.equal(b.nova.callsOf('reset').length, 0, "no reset while compute-1's force-down is unanswered");
    held.open();
    await Promise.all([first, second]);
    assert.equal(b.nova.callsOf('reset').length, 10);
  });

  it('an announced host that never comes holds the resets only fenceHoldMs', async () => {
    const b = bed({}, { fenceHoldMs: 100 });
    b.nova.addServers('compute-0', 3);
    b.executor.expectHostDown(policy(), 'compute-9');
    const started = performance.now();
    const result = await b.executor.hostDown(input('compute-0'));
    assert.equal(result.serversMarkedError, 3);
    assert.ok(performance.now() - started >= 90, 'the resets waited for the announced force-down');
  });

  it('an announced host whose call is refused holds nothing', async () => {
    const b = bed({}, { fenceHoldMs: 60_000 });
    b.nova.addServers('compute-0', 3);
    b.executor.expectHostDown(policy(), 'compute-9');
    const refused = b.executor.hostDown({
      ...input('compute-9'),
      decision: { ...decision(), declaredAt: 'x' },
    });
    await assert.rejects(refused, /declaredAt/);
    const result = await Promise.race([
      b.executor.hostDown(input('compute-0')),
      sleep(5_000).then(() => undefined),
    ]);
    assert.equal(result?.serversMarkedError, 3, 'the resets did not wait for the refused host');
  });

  it('writes status, Events and the taint only once the Nova work and first deliveries are over', async () => {
    const b = bed();
    b.nova.addServers('compute-0', 4);
    const resets = gate();
    b.nova.gates = { reset: resets.promise };
    const running = b.executor.hostDown(input('compute-0'));
    await eventually(() => b.nova.callsOf('reset').length === 4, 2000, 'the resets to start');
    await sleep(100);
    assert.equal(b.store.patches.length, 0, 'no status write while resets are in flight');
    assert.deepEqual(b.events.events, [], 'no Event while resets are in flight');
    assert.deepEqual(b.tainter.calls, [], 'no taint while resets are in flight');
    resets.open();
    await running;
    assert.ok(b.store.patches.length > 0);
    assert.equal(b.store.status('compute-0').servers?.markedError, 4);
    assert.deepEqual(b.tainter.calls, ['ensure compute-0']);
    assert.ok(b.events.reasons().length > 0);
  });

  it('writes status after kubeHoldMs even while Nova does not answer', async () => {
    const b = bed({}, { kubeHoldMs: 150 });
    b.nova.addServers('compute-0', 2);
    b.nova.gates = { reset: new Promise<void>(() => undefined) };
    void b.executor.hostDown(input('compute-0')).catch(() => undefined);
    await sleep(50);
    assert.equal(b.store.patches.length, 0);
    await eventually(() => b.store.patches.length > 0, 2_000, 'a status write after kubeHoldMs');
    assert.equal(b.store.status('compute-0').remediation?.forceDown?.state, 'Done');
    assert.deepEqual(b.tainter.calls, ['ensure compute-0']);
  });

  it('stop() writes the last status at once, whatever Nova work is still in flight', async () => {
    const b = bed({}, { kubeHoldMs: 60_000 });
    b.nova.addServers('compute-0', 2);
    b.nova.gates = { reset: new Promise<void>(() => undefined) };
    void b.executor.hostDown(input('compute-0')).catch(() => undefined);
    await eventually(() => b.nova.callsOf('reset').length === 2, 2_000, 'the resets to start');
    const started = performance.now();
    await b.executor.stop();
    assert.ok(performance.now() - started < 5_000, 'stop() did not wait for the hold');
    assert.equal(b.store.status('compute-0').remediation?.forceDown?.state, 'Done');
  });
});

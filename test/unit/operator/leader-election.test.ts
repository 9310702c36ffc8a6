// The leader's own safety: with its Lease calls black-holed (they never answer), a leader stops leading
// within the renew deadline, before any standby could see the lease expire, and its loop keeps turning.
import assert from 'node:assert/strict';
import type * as k8s from '@kubernetes/client-node';
import { LeaderElector } from '../../../src/runtime/leader-election.js';
import { createLogger } from '../../../src/observability/logger.js';

/** An in-memory Lease store behind the three calls the elector makes; `hang` makes every call silent. */
function leaseStore() {
  let lease: Record<string, unknown> | undefined;
  let version = 0;
  const state = { hang: false };
  const answer = <T>(value: () => T): Promise<T> =>
    state.hang ? new Promise<T>(() => undefined) : Promise.resolve().then(value);
  const api = {
    getNamespacedCustomObject: () =>
      answer(() => {
        if (!lease) throw Object.assign(new Error('not found'), { code: 404 });
        return structuredClone(lease);
      }),
    createNamespacedCustomObject: ({ body }: { body: Record<string, unknown> }) =>
      answer(() => {
        lease = { ...body, metadata: { ...(body.metadata as object), resourceVersion: String(++version) } };
        return lease;
      }),
    replaceNamespacedCustomObject: ({ body }: { body: Record<string, unknown> }) =>
      answer(() => {
        lease = { ...body, metadata: { ...(body.metadata as object), resourceVersion: String(++version) } };
        return lease;
      }),
  };
  return { api: api as unknown as k8s.CustomObjectsApi, state };
}

describe('leader election: a leader that cannot renew', function () {
  this.timeout(15_000);

  it('steps down within the renew deadline although its calls never answer, and its loop stays alive', async function () {
    const { api, state } = leaseStore();
    const transitions: [string, number][] = [];
    const elector = new LeaderElector(
      api,
      {
        namespace: 'ns',
        leaseName: 'l',
        identity: 'a',
        leaseDurationSeconds: 4,
        renewDeadlineSeconds: 2,
        retryPeriodSeconds: 1,
        onStartedLeading: () => transitions.push(['started', Date.now()]),
        onStoppedLeading: () => transitions.push(['stopped', Date.now()]),
      },
      createLogger('test', 'error'),
    );
    elector.start();
    try {
      const deadline = Date.now() + 3_000;
      while (!elector.isLeader && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(elector.isLeader, true, 'became the leader with a working API');
      await new Promise((r) => setTimeout(r, 1_100)); // one renewal
      const lastRenewAttempt = Date.now();
      state.hang = true;
      while (elector.isLeader && Date.now() < lastRenewAttempt + 6_000)
        await new Promise((r) => setTimeout(r, 20));
      const stopped = transitions.find(([what]) => what === 'stopped');
      assert.ok(stopped, 'stepped down');
      // The last renewal was sent at most one retry period before the API went silent; the lease lasts 4 s
      // from then, so stepping down 2 s (renew deadline) after it leaves the standby's wait untouched.
      const afterSilence = stopped[1] - lastRenewAttempt;
      assert.ok(afterSilence <= 2_500, `stepped down ${afterSilence} ms after the API went silent`);
      assert.equal(elector.loopAlive, true, 'the loop keeps turning: each call times out');
    } finally {
      await Promise.race([elector.stop(), new Promise((r) => setTimeout(r, 3_000))]);
    }
  });
});

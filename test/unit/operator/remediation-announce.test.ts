// The leader announces every host of a report to remediation in the turn the report is handled, before
// the turn gate starts their jobs one per turn: the force-downs of the last hosts go before the resets of
// the first.
import assert from 'node:assert/strict';
import type * as k8s from '@kubernetes/client-node';
import { LeaderRemediation } from '../../../src/operator/remediation-wiring.js';
import type { HostDownDecision } from '../../../src/inspector/decisions.js';
import type { RemediationExecutor } from '../../../src/remediation/index.js';
import { CoalescingStatusWriter } from '../../../src/runtime/coalescing-status-writer.js';
import type { EventRecorder } from '../../../src/runtime/event-recorder.js';
import { decision, policy, silentLogger } from '../remediation/fakes.js';

describe('leader remediation: hosts of one report', function () {
  it('announces every host down at once, before the turn gate starts their jobs', async function () {
    const log = silentLogger();
    const p = policy({ notify: [] });
    const remediation = new LeaderRemediation({
      // No Secret: the jobs fail to reach Nova, which does not matter here.
      core: {
        readNamespacedSecret: () => Promise.reject(new Error('no Secret')),
      } as unknown as k8s.CoreV1Api,
      custom: {} as k8s.CustomObjectsApi,
      namespace: 'doctor-system',
      hostStatus: new CoalescingStatusWriter(() => Promise.resolve(), log),
      events: { record: () => Promise.resolve() } as unknown as EventRecorder,
      log,
      hostHealths: { list: () => [], get: () => undefined },
      policies: { list: () => [p], get: () => p },
    });
    remediation.activate();
    try {
      const executor = (remediation as unknown as { executor: RemediationExecutor }).executor;
      const calls = ['compute-0', 'compute-1', 'compute-2'].map((node) =>
        remediation
          .hostDown({ policy: p, node, novaHost: node, decision: decision() as HostDownDecision })
          .catch(() => undefined),
      );
      assert.equal(executor.pendingForceDowns, 3, 'all three announced in the calling turn');
      await remediation.stop();
      await Promise.all(calls);
    } finally {
      await remediation.stop();
    }
  });
});

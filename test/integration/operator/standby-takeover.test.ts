// A hot standby takes over in the middle of a remediation: the leader is killed (no chance to hand over)
// while it resets a host's servers; the standby, whose caches are warm, takes the lease within its
// duration and finishes the fault from HostHealth status: every server reset, the service forced down,
// the Node tainted, the timeline complete.
import assert from 'node:assert/strict';
import { waitFor } from '../../../tools/cluster/wait.js';
import { shortLeaseArgs, type OperatorProcess } from '../../../tools/demo/operator-process.js';
import { getHostHealth, postDownReport } from './helpers.js';
import { novaBed, type NovaBed } from './nova-bed.js';

const servers = 200;
const leaseDurationSeconds = 4;

describe('a hot standby takes over in the middle of a remediation', function () {
  this.timeout(180_000);
  let bed: NovaBed | undefined;
  let leader: OperatorProcess;
  let standby: OperatorProcess;
  const hosts = ['ht-a', 'ht-b', 'ht-c'];

  before(async function () {
    bed = await novaBed('ht', hosts, 3, servers);
    const args = [...shortLeaseArgs('ht-test', leaseDurationSeconds), '--inspector-auth', 'none'];
    leader = await bed.startOperator('ht-first', args);
    await waitFor('the first replica to lead', async () => ((await leader.isLeader()) ? true : undefined));
    standby = await bed.startOperator('ht-standby', args);
    await bed.applyPolicy();
  });

  after(async function () {
    await bed?.cleanup();
  });

  it('finishes the fault the killed leader started: every server reset, forced down, tainted, T08', async function () {
    const { nova, kube } = bed!;
    nova.configure({ latencyMs: 300 });
    const resets = () => nova.novaCalls('POST', /\/servers\/[^/]+\/action$/).filter((c) => c.status < 300);
    await postDownReport(leader.eventsUrl, 'ht-a');
    await waitFor('the leader to be resetting servers', () =>
      Promise.resolve(resets().length > 0 ? true : undefined),
    );
    await leader.kill();
    const resetByLeader = resets().length;
    assert.ok(resetByLeader < servers, `the leader finished before the kill (${resetByLeader} resets)`);

    await waitFor('the standby to lead', async () => ((await standby.isLeader()) ? true : undefined), {
      timeoutMs: (leaseDurationSeconds + 10) * 1000,
      intervalMs: 100,
    });
    const done = await waitFor(
      'the standby to finish the remediation (T08)',
      async () => {
        const h = await getHostHealth(kube, 'ht-a');
        return h?.status?.timeline?.T08 ? h : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    assert.equal(done.status?.state, 'Down');
    assert.ok(
      nova.state.serversOnHost('ht-a').every((s) => s.vmState === 'error'),
      'every server on the host is in error',
    );
    assert.ok(resets().length > resetByLeader, 'the standby reset the servers the leader had not reached');
    assert.equal(nova.state.computeService('ht-a')!.forcedDown, true);
    const node = await kube.core.readNode({ name: 'ht-a' });
    assert.ok(node.spec?.taints?.some((t) => t.key === 'doctor.io/host-down'));
  });
});

// No split brain: the leader reaches the API server through a proxy that then black-holes its traffic
// (connections stay open, bytes vanish). Its Lease calls time out and it stops acting at the renew
// deadline, before its lease can expire and the standby (direct connection) take over. A fault it was
// remediating when it was cut off stops there: no Nova call starts after it stepped down, its inspector
// refuses reports, and the standby leads only afterwards.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { waitFor } from '../../../tools/cluster/wait.js';
import { startBlackholeProxy, type BlackholeProxy } from '../../support/blackhole-proxy.js';
import { kubeconfigVia } from '../../../tools/cluster/kube/token-kubeconfig.js';
import { shortLeaseArgs, type OperatorProcess } from '../../../tools/demo/operator-process.js';
import { postDownReport } from './helpers.js';
import { novaBed, type NovaBed } from './nova-bed.js';

const leaseDurationSeconds = 8;
const renewDeadlineSeconds = 4;
const servers = 300;

describe('split brain: a leader cut off from the API server', function () {
  this.timeout(180_000);
  let bed: NovaBed | undefined;
  let proxy: BlackholeProxy | undefined;
  let cutOff: OperatorProcess;
  let standby: OperatorProcess;
  const hosts = ['sb-a', 'sb-b', 'sb-c'];

  before(async function () {
    // Enough servers, answered slowly, that the remediation is still running when the leader steps down.
    bed = await novaBed('sb', hosts, 5, servers);
    const { hostname, port } = new URL(bed.cluster.server);
    proxy = await startBlackholeProxy({ host: hostname, port: Number(port) });
    const viaProxy = join(bed.logDir, 'kubeconfig-via-proxy');
    kubeconfigVia(bed.cluster.kubeconfigPath, `https://127.0.0.1:${proxy.port}`, viaProxy);
    const args = [
      ...shortLeaseArgs('sb-test', leaseDurationSeconds, renewDeadlineSeconds),
      '--inspector-auth',
      'none',
    ];
    cutOff = await bed.startOperator('sb-cut-off', args, viaProxy);
    await waitFor('the proxied replica to lead', async () => ((await cutOff.isLeader()) ? true : undefined));
    standby = await bed.startOperator('sb-standby', args);
    await bed.applyPolicy();
  });

  after(async function () {
    // Let the cut-off replica reach the API again so it can shut down cleanly.
    proxy?.restore();
    try {
      await bed?.cleanup();
    } finally {
      await proxy?.close();
    }
  });

  it('stops acting at the renew deadline, before the standby starts; no Nova call from it afterwards', async function () {
    const nova = bed!.nova;
    // Slow enough that 300 resets (64 at a time per host) outlast the renew deadline.
    nova.configure({ latencyMs: 3_000 });
    nova.clearCalls();
    await postDownReport(cutOff.eventsUrl, 'sb-a');
    const resets = () => nova.novaCalls('POST', /\/servers\/[^/]+\/action$/);
    await waitFor('the leader to start resetting servers', () =>
      Promise.resolve(resets().length > 0 ? true : undefined),
    );
    // Cut off in the middle of the remediation.
    proxy!.blackhole();
    const cutAt = Date.now();

    let steppedDownAt = 0;
    let standbyLeadsAt = 0;
    await waitFor(
      'the cut-off replica to step down and the standby to lead',
      async () => {
        const [cutOffLeads, standbyLeads] = await Promise.all([cutOff.isLeader(), standby.isLeader()]);
        const now = Date.now();
        if (!cutOffLeads && steppedDownAt === 0) steppedDownAt = now;
        if (standbyLeads && standbyLeadsAt === 0) standbyLeadsAt = now;
        return steppedDownAt && standbyLeadsAt ? true : undefined;
      },
      { timeoutMs: (leaseDurationSeconds + 15) * 1000, intervalMs: 50 },
    );
    assert.ok(
      steppedDownAt < standbyLeadsAt,
      `stepped down ${steppedDownAt - cutAt} ms after the cut, the standby led ${standbyLeadsAt - cutAt} ms after it`,
    );
    // The last renewal was at most a retry period before the cut; the deadline counts from it.
    assert.ok(steppedDownAt - cutAt <= (renewDeadlineSeconds + 2) * 1000, `${steppedDownAt - cutAt} ms`);

    const refused = await fetch(cutOff.eventsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[]',
      signal: AbortSignal.timeout(5_000),
    });
    assert.equal(refused.status, 503, 'a replica that stepped down refuses reports');

    // Calls in flight when it stepped down may finish; none may start later, while nobody leads.
    const lateStarts = nova
      .novaCalls()
      .filter((c) => c.startedAtMs > steppedDownAt + 250 && c.startedAtMs < standbyLeadsAt);
    assert.deepEqual(
      lateStarts.map((c) => `${c.method} ${c.path} +${c.startedAtMs - steppedDownAt} ms`),
      [],
      'Nova calls started after the old leader stepped down and before the standby led',
    );
    assert.ok(
      resets().length < servers,
      `the remediation stopped short (${resets().length} of ${servers} resets): it did not run on after the step-down`,
    );
  });
});

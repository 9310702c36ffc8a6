// Faults injected into the real fault path (control plane, two operator replicas, Nova simulator,
// consumer process), each counted: the leader killed with SIGKILL at random points of 20 remediations,
// the API server stopped for 30 s, Nova failing half its calls, the consumer down for 60 s. Whatever
// happens, every server is reset, the host forced down and every server's notification delivered; a
// notification may arrive twice only under the same id.
import assert from 'node:assert/strict';
import { sharedCluster } from '../../support/shared-cluster.js';
import { startFaultBed, type FaultBed, type HostOutcome } from '../../support/fault-injection/fault-bed.js';
import { apiServerOutage, consumerOutage, novaFailing } from '../../support/fault-injection/injections.js';
import { runKillTrials } from '../../support/fault-injection/kill-trials.js';

const trials = 20;
const serversPerHost = 50;

function assertWhole(outcomes: readonly HostOutcome[]): void {
  for (const o of outcomes) {
    assert.equal(o.serversReset, o.servers, `${o.host}: every server reset`);
    assert.ok(o.forcedDown, `${o.host}: forced down`);
    assert.equal(o.deliveries.lost, 0, `${o.host}: no notification lost`);
    assert.equal(o.deliveries.duplicatesWithOtherId, 0, `${o.host}: a repeat carries the first one's id`);
  }
}

describe('fault injection, counted', function () {
  this.timeout(600_000);
  let bed: FaultBed;
  // Host 0 calibrates the kill trials, 1..trials are killed in, the rest take one injection each.
  const spare = (k: number) => bed.hosts[trials + 1 + k]!;

  before(async function () {
    bed = await startFaultBed({
      cluster: await sharedCluster(),
      hosts: trials + 4,
      serversPerHost,
      prefix: 'fi',
    });
  });

  after(async function () {
    await bed?.stop();
  });

  it(`kill -9 of the leader at random points of ${trials} remediations loses nothing`, async function () {
    const result = await runKillTrials(bed, {
      trials,
      seed: 11,
      log: (line) => console.log(`      ${line}`),
    });
    console.log(`      ${result.summary}`);
    assert.equal(result.outcomes.length, trials);
    assertWhole(result.outcomes);
    assert.ok(result.killedMidway > 0, 'at least one kill landed part-way through the notifications');
  });

  it('the API server stopped for 30 s mid-fault', async function () {
    const result = await apiServerOutage(bed, spare(0), 30_000);
    console.log(`      ${result.summary}`);
    assertWhole([result.outcome]);
  });

  it('Nova answering 503 to half of its calls', async function () {
    const result = await novaFailing(bed, spare(1), 0.5);
    console.log(`      ${result.summary}`);
    assert.ok(
      result.failed >= result.calls / 4,
      `about half the calls failed (${result.failed} of ${result.calls})`,
    );
    assertWhole([result.outcome]);
  });

  it('a consumer down for 60 s', async function () {
    const result = await consumerOutage(bed, spare(2), 60_000);
    console.log(`      ${result.summary}`);
    const { during } = result;
    assert.ok(during.forcedDown && during.serversReset === during.servers, 'Nova acted meanwhile');
    assert.equal(during.deliveries.notified, 0, 'nothing could arrive while the consumer was down');
    assertWhole([result.outcome]);
  });
});

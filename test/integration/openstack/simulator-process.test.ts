// The simulator in its own process (benchmarks): the real client forces a host down and resets its
// servers; the child reports those calls, stamped on arrival, once all are in, injects the failures it is
// asked for, and stops with its parent's request.
import assert from 'node:assert/strict';
import { createOpenStackClients } from '../../../src/openstack/factory.js';
import { isAlive } from '../../../tools/cluster/process.js';
import { startNovaSimProcess } from '../../../tools/nova-sim/process.js';

describe('nova-sim in a child process', function () {
  this.timeout(30_000);

  it('reports a host remediation with arrival stamps, answers questions, and stops', async () => {
    const sim = await startNovaSimProcess({ hosts: ['p-0', 'p-1'], serversPerHost: 3, latencyMs: 0 });
    const clients = await createOpenStackClients(sim.cloudsYaml(), 'openstack');
    try {
      const facts = await sim.hostFacts('p-0');
      assert.equal(facts.serverIds.length, 3);
      assert.equal(facts.forcedDown, false);
      const remediated = sim.awaitRemediation('p-0', 10_000);
      const before = performance.timeOrigin + performance.now();
      await clients.nova.forceDown('p-0', 'test');
      // Not complete yet: one server is left.
      for (const id of facts.serverIds.slice(0, 2)) await clients.nova.resetServerToError(id);
      let done = false;
      void remediated.then(() => (done = true));
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(done, false);
      await clients.nova.resetServerToError(facts.serverIds[2]!);
      const calls = await remediated;
      assert.equal(calls.forceDown.length, 1);
      assert.equal(calls.resets.length, 3);
      for (const call of [...calls.forceDown, ...calls.resets]) assert.ok(call.startedAtMs >= before);
      assert.equal((await sim.hostFacts('p-0')).forcedDown, true);
      assert.ok((await sim.novaCalls('POST', /\/action$/)).length >= 3);
      await sim.setLatency(30);
      const slow = performance.now();
      await clients.nova.listComputeServices('p-1');
      assert.ok(performance.now() - slow >= 25, 'the latency applies');
      await sim.restoreServers('p-0');
      await sim.clearCalls();
      assert.deepEqual(await sim.novaCalls(), []);
      // One injected 503 on the first matching call: the client's own retry gets through.
      await sim.setLatency(0);
      await sim.failFirstCalls(1, /\/action$/);
      await clients.nova.resetServerToError(facts.serverIds[0]!);
      assert.deepEqual(
        (await sim.novaCalls('POST', /\/action$/)).map((c) => [c.status, c.injected]),
        [
          [503, true],
          [202, false],
        ],
      );
      await sim.clearCalls();
      await assert.rejects(sim.awaitRemediation('p-1', 100), /not forced down/);
    } finally {
      clients.close();
      await sim.stop();
    }
    assert.equal(isAlive(sim.pid), false);
  });
});

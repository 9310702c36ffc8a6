// The NovaReachable condition from Nova outcomes: written when its status or reason changes (a stream
// of calls costs no API writes), tried again after a failed write, removed when the policy drops Nova.
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import type { FaultPolicyStatus } from '../../../src/api/types.js';
import { createLogger } from '../../../src/observability/logger.js';
import { NovaReachableConditions } from '../../../src/operator/nova-reachable.js';

describe('NovaReachable condition', function () {
  it('writes on a change only, retries after a failed write, and goes away without Nova', async function () {
    let status: FaultPolicyStatus = {};
    let writes = 0;
    let fail = false;
    const registry = new Registry();
    const conditions = new NovaReachableConditions({
      updatePolicyStatus: (_name, update) => {
        writes++;
        if (fail) return Promise.reject(new Error('API server away'));
        status = update(status);
        return Promise.resolve();
      },
      registry,
      log: createLogger('test', 'error'),
    });
    const ok = { reachable: true, reason: 'NovaAnswered', message: 'Nova answered resetServer' };
    const down = { reachable: false, reason: 'NovaUnreachable', message: 'listServers: connection refused' };
    for (let i = 0; i < 50; i++) conditions.observe('p', ok);
    await Promise.resolve();
    assert.equal(writes, 1);
    assert.equal(status.conditions?.[0]?.status, 'True');
    assert.match(await registry.metrics(), /doctor_nova_reachable\{policy="p"\} 1/);

    fail = true;
    conditions.observe('p', down);
    await new Promise((r) => setTimeout(r, 0));
    fail = false;
    conditions.observe('p', down);
    await Promise.resolve();
    assert.equal(writes, 3, 'the failed write is tried again at the next outcome');
    assert.deepEqual(
      status.conditions?.map((c) => [c.type, c.status, c.reason]),
      [['NovaReachable', 'False', 'NovaUnreachable']],
    );
    assert.match(await registry.metrics(), /doctor_nova_reachable\{policy="p"\} 0/);

    conditions.notUsed('p');
    await Promise.resolve();
    assert.deepEqual(status.conditions, []);
    assert.doesNotMatch(await registry.metrics(), /doctor_nova_reachable\{/);
    conditions.forget();
  });
});

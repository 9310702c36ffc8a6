// Retry-After from Keystone and Nova (429 and 503): the client waits what the API asks, at least its own
// backoff and at most the cap, and within the retry deadline. The simulator sends the header on demand.
import assert from 'node:assert/strict';
import { useBed } from './harness.js';

describe('OpenStack client: Retry-After', function () {
  this.timeout(30_000);
  const bed = useBed();

  /** Gap in ms between the injected failure and the call after it, from the simulator's call log. */
  function gapAfterInjected(calls: { injected: boolean; startedAtMs: number; durationMs: number }[]): number {
    const index = calls.findIndex((c) => c.injected);
    assert.ok(index >= 0 && index + 1 < calls.length, 'an injected failure and a retry');
    const failed = calls[index] as { startedAtMs: number; durationMs: number };
    return (
      (calls[index + 1] as { startedAtMs: number }).startedAtMs - (failed.startedAtMs + failed.durationMs)
    );
  }

  it('waits the delay-seconds of a 429 from Nova, then succeeds', async () => {
    const { sim, clients } = await bed();
    await clients.nova.listComputeServices();
    sim.clearCalls();
    sim.configure({ failures: { everyNth: 2, status: 429, retryAfter: '1' } });
    const services = await clients.nova.listComputeServices(); // call 1 passes
    assert.ok(services.length > 0);
    await clients.nova.listComputeServices(); // call 2 gets 429, call 3 passes
    const calls = sim.novaCalls();
    assert.deepEqual(
      calls.map((c) => c.status),
      [200, 429, 200],
    );
    const gap = gapAfterInjected(calls);
    assert.ok(gap >= 950 && gap < 5000, `retried after ${gap.toFixed(0)} ms, wanted about 1000`);
  });

  it('takes an HTTP date from a 503 of Keystone', async () => {
    const { sim, clients } = await bed();
    sim.configure({
      failures: {
        everyNth: 1,
        scope: 'all',
        status: 503,
        retryAfter: new Date(Date.now() + 2000).toUTCString(),
        pathPattern: /auth\/tokens$/,
      },
    });
    // Switch the failure off after the first answer, so the retry passes.
    const started = Date.now();
    const token = clients.session.getToken();
    await new Promise((resolve) => setTimeout(resolve, 300));
    sim.configure({ failures: undefined });
    await token;
    const tokenCalls = sim.calls.filter((c) => c.path.endsWith('/auth/tokens'));
    assert.deepEqual(
      tokenCalls.map((c) => c.status),
      [503, 201],
    );
    // The date has one-second resolution: at least one second, about two.
    const waited = Date.now() - started;
    assert.ok(waited >= 900 && waited < 5000, `token after ${waited} ms`);
  });

  it('caps a long Retry-After at maxRetryAfterMs', async () => {
    const { sim, clients } = await bed(
      {},
      { retry: { maxAttempts: 4, baseDelayMs: 2, maxDelayMs: 20, deadlineMs: 10_000, maxRetryAfterMs: 300 } },
    );
    await clients.nova.listComputeServices();
    sim.clearCalls();
    sim.configure({ failures: { everyNth: 2, status: 429, retryAfter: '3600' } });
    await clients.nova.listComputeServices();
    await clients.nova.listComputeServices();
    const gap = gapAfterInjected(sim.novaCalls());
    assert.ok(gap >= 280 && gap < 2000, `retried after ${gap.toFixed(0)} ms, wanted about 300`);
  });

  it('gives up at once when the wait would pass the deadline, with the 429 as the error', async () => {
    const { sim, clients } = await bed(
      {},
      { retry: { maxAttempts: 5, baseDelayMs: 2, maxDelayMs: 20, deadlineMs: 1000, maxRetryAfterMs: 5000 } },
    );
    await clients.nova.listComputeServices();
    sim.clearCalls();
    sim.configure({ failures: { everyNth: 1, status: 429, retryAfter: '3' } });
    const started = Date.now();
    await assert.rejects(clients.nova.listComputeServices(), { message: /HTTP 429/ });
    assert.ok(Date.now() - started < 900);
    assert.equal(sim.novaCalls().length, 1);
  });
});

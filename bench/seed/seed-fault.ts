// One fault on Doctor's own path, as the seed benchmarks drive it: Doctor's sample monitor body POSTed to
// /events, timed from the inspector's receive time (HostHealth T02) to the Nova simulator's own stamps of
// the force-down and of every reset, then the host brought back (an "up" event) and its servers restored.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HostHealth } from '../../src/api/types.js';
import { waitFor } from '../../tools/cluster/wait.js';
import type { NovaSimProcess } from '../../tools/nova-sim/process.js';
import { postJson } from '../../test/support/fault-injection/host-report.js';
import { faultTimesOf } from '../e2e/fault-times.js';

/** Doctor's sample monitor body: one event, no observer field. */
export function doctorEvent(host: string, status: 'down' | 'up', n: number): string {
  return JSON.stringify([
    {
      id: `monitor_sample_id${n}`,
      time: new Date().toISOString(),
      type: status === 'down' ? 'compute.host.down' : 'compute.host.up',
      details: {
        hostname: host,
        status,
        monitor: 'monitor_sample',
        monitor_event_id: `monitor_sample_event${n}`,
      },
    },
  ]);
}

/**
 * The harness's first fetch() loads and compiles Node's HTTP client while the operator is already
 * handling the first fault, competing with it for the CPU. A few POSTs to a throwaway local server first
 * keep that cost away from the operator's figure.
 */
export async function warmHarnessClient(body: string): Promise<void> {
  const sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = sink.address() as AddressInfo;
    for (let i = 0; i < 5; i++) await post(`http://127.0.0.1:${port}/`, body);
  } finally {
    sink.closeAllConnections();
    sink.close();
  }
}

async function post(url: string, body: string): Promise<void> {
  const status = await postJson(url, body);
  if (status !== 200) throw new Error(`POST /events answered ${status}`);
}

export interface FaultSample {
  firstCall: number;
  forced: number;
  allReset: number;
  postToReceive: number;
  /** Harness POST (sub-ms) -> first Nova write: an upper bound of the span without T02's ms rounding. */
  postToFirstCall: number;
  /** The POST on the monotonic clock (us), as CPU profiles stamp their samples (bench/lib/profile-window.ts). */
  postedAtMonotonicUs: number;
}

/** Quiet time between one fault's recovery and the next fault. */
const settleAfterRecoveryMs = 500;

const epochNow = () => performance.timeOrigin + performance.now();

export async function oneFault(
  context: {
    nova: NovaSimProcess;
    eventsUrl: string;
    hostHealth: (name: string) => Promise<HostHealth>;
  },
  victim: string,
  n: number,
): Promise<FaultSample> {
  const { nova, hostHealth } = context;
  await nova.clearCalls();
  // Asked before the fault, so that no question reaches the simulator while it stamps the fault's calls.
  const remediated = nova.awaitRemediation(victim, 30_000);
  const postedAt = Date.now();
  const postedAtPrecise = epochNow();
  const postedAtMonotonicUs = Number(process.hrtime.bigint() / 1000n);
  await post(context.eventsUrl, doctorEvent(victim, 'down', n));
  const times = faultTimesOf(await remediated);
  // The inspector's receive time of this report, from the timeline it writes.
  const received = await waitFor(
    `fault ${n}: the timeline of ${victim}`,
    async () => {
      const t02 = Date.parse((await hostHealth(victim)).status?.timeline?.T02 ?? '');
      return t02 >= postedAt - 1 ? t02 : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 50 },
  );
  await post(context.eventsUrl, doctorEvent(victim, 'up', n));
  await waitFor(
    `${victim} to recover`,
    async () => {
      const status = (await hostHealth(victim)).status;
      return status?.state === 'Healthy' && (await nova.hostFacts(victim)).forcedDown === false
        ? true
        : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  await nova.restoreServers(victim);
  // Each fault meets an operator done with the last one (its recovery's status writes and Events echo
  // back through the watches for a while): otherwise a fault would time that tail, not its own path.
  await new Promise((resolve) => setTimeout(resolve, settleAfterRecoveryMs));
  return {
    firstCall: times.firstWriteAt - received,
    forced: times.forcedDownAt - received,
    allReset: Math.max(times.forcedDownAt, times.lastResetAt) - received,
    postToReceive: received - postedAt,
    postToFirstCall: times.firstWriteAt - postedAtPrecise,
    postedAtMonotonicUs,
  };
}

// One fault each, injected while a host is being remediated, and counted: the API server stopped, Nova
// failing part of its calls, the consumer down. Each returns the host's outcome and a line saying what
// was counted; the caller asserts.
import { describeOutcomes, type FaultBed, type HostOutcome } from './fault-bed.js';

export interface InjectionResult {
  outcome: HostOutcome;
  summary: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function apiServerOutage(
  bed: FaultBed,
  host: string,
  outageMs: number,
): Promise<InjectionResult> {
  await bed.reportDown(host);
  await bed.cluster.stopComponent('kube-apiserver');
  const stoppedAt = Date.now();
  try {
    await sleep(outageMs);
  } finally {
    await bed.cluster.startComponent('kube-apiserver');
  }
  const downS = ((Date.now() - stoppedAt) / 1000).toFixed(0);
  const outcome = await bed.waitRemediated(host, 120_000);
  // A replica leads again before the next injection.
  await bed.leader(60_000);
  return { outcome, summary: `API server down ${downS} s: ${describeOutcomes([outcome])}` };
}

export async function novaFailing(
  bed: FaultBed,
  host: string,
  ratio: number,
): Promise<InjectionResult & { calls: number; failed: number }> {
  bed.nova.clearCalls();
  bed.nova.configure({ failures: { ratio, seed: 7, status: 503 } });
  let outcome: HostOutcome;
  try {
    await bed.reportDown(host);
    outcome = await bed.waitRemediated(host, 120_000);
  } finally {
    bed.nova.configure({ failures: undefined });
  }
  const calls = bed.nova.novaCalls();
  const failed = calls.filter((c) => c.injected && c.status === 503).length;
  return {
    outcome,
    calls: calls.length,
    failed,
    summary: `Nova calls ${calls.length}, answered 503 ${failed}: ${describeOutcomes([outcome])}`,
  };
}

export async function consumerOutage(
  bed: FaultBed,
  host: string,
  outageMs: number,
): Promise<InjectionResult & { during: HostOutcome }> {
  await bed.stopConsumer();
  const stoppedAt = Date.now();
  let during: HostOutcome;
  try {
    await bed.reportDown(host);
    await sleep(outageMs - (Date.now() - stoppedAt));
    during = bed.outcome(host);
  } finally {
    bed.startConsumer();
  }
  const outcome = await bed.waitRemediated(host, 90_000);
  return {
    outcome,
    during,
    summary: `consumer down ${(outageMs / 1000).toFixed(0)} s (${during.deliveries.notified} arrived meanwhile): ${describeOutcomes([outcome])}`,
  };
}

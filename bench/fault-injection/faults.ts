// Fault injection as a benchmark: on its own control plane with two operator replicas, the Nova
// simulator and the consumer, the leader is killed with SIGKILL at a random point of each of 100
// remediations of 50 servers; then the API server is stopped for 30 s, Nova fails half its calls and the
// consumer is down for 60 s during one remediation each. Figures are counts: what was reset, forced down,
// notified, lost and repeated (a repeat is harmless only under the first one's id).
import { startCluster } from '../../tools/cluster/cluster.js';
import { startFaultBed, type HostOutcome } from '../../test/support/fault-injection/fault-bed.js';
import {
  apiServerOutage,
  consumerOutage,
  novaFailing,
} from '../../test/support/fault-injection/injections.js';
import { runKillTrials } from '../../test/support/fault-injection/kill-trials.js';
import type { BenchResult, Figure } from '../lib/report.js';

const serversPerHost = 50;

function countFigures(label: string, outcomes: readonly HostOutcome[]): Figure[] {
  const sum = (f: (o: HostOutcome) => number) => outcomes.reduce((n, o) => n + f(o), 0);
  const servers = sum((o) => o.servers);
  return [
    {
      name: `${label}: servers not reset`,
      value: servers - sum((o) => o.serversReset),
      unit: `of ${servers}`,
      statistic: 'count',
      samples: outcomes.length,
      goal: { statistic: 'count', op: '=', value: 0 },
    },
    {
      name: `${label}: hosts not forced down`,
      value: outcomes.filter((o) => !o.forcedDown).length,
      unit: `of ${outcomes.length}`,
      statistic: 'count',
      samples: outcomes.length,
      goal: { statistic: 'count', op: '=', value: 0 },
    },
    {
      name: `${label}: notifications lost`,
      value: sum((o) => o.deliveries.lost),
      unit: `of ${servers}`,
      statistic: 'count',
      samples: outcomes.length,
      goal: { statistic: 'count', op: '=', value: 0 },
    },
    {
      name: `${label}: repeats under another id`,
      value: sum((o) => o.deliveries.duplicatesWithOtherId),
      unit: `(repeats ${sum((o) => o.deliveries.duplicates)})`,
      statistic: 'count',
      samples: outcomes.length,
      goal: { statistic: 'count', op: '=', value: 0 },
    },
  ];
}

export async function runFaultInjectionBenchmark(options: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<BenchResult> {
  const { log } = options;
  const trials = options.quick ? 5 : 100;
  const cluster = await startCluster({ log: () => undefined });
  try {
    const bed = await startFaultBed({ cluster, hosts: trials + 4, serversPerHost, prefix: 'bench-fi' });
    try {
      const spare = (k: number) => bed.hosts[trials + 1 + k]!;
      const kills = await runKillTrials(bed, { trials, seed: 2026, log });
      log(kills.summary);
      const outage = options.quick ? 5_000 : 30_000;
      const api = await apiServerOutage(bed, spare(0), outage);
      log(api.summary);
      const nova = await novaFailing(bed, spare(1), 0.5);
      log(nova.summary);
      const consumer = await consumerOutage(bed, spare(2), options.quick ? 10_000 : 60_000);
      log(consumer.summary);
      return {
        benchmark: 'fault-injection',
        description: `kill -9 of the leading replica at random points of ${trials} remediations of ${serversPerHost} servers; API server down ${outage / 1000} s; Nova 503 on half its calls; consumer down`,
        figures: [
          ...countFigures(`kill -9 x${trials}`, kills.outcomes),
          ...countFigures(`API server down ${outage / 1000} s`, [api.outcome]),
          ...countFigures('Nova 503 on half the calls', [nova.outcome]),
          ...countFigures('consumer down', [consumer.outcome]),
        ],
        details: {
          killTrials: kills.summary,
          killSeed: kills.seed,
          calibrationMs: kills.calibrationMs,
          apiServer: api.summary,
          nova: nova.summary,
          consumer: consumer.summary,
        },
      };
    } finally {
      await bed.stop();
    }
  } finally {
    await cluster.stop();
  }
}

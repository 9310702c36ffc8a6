// Executor only, Kubernetes in memory: decision handed to the remediation executor -> Nova service forced
// down + every server reset + every consumer notified, for 1 to 200 servers with the Nova simulator
// answering at once or after 20 ms per call. The executor, Nova client, simulator and consumer are real;
// HostHealth status, the Node taint, Secrets and Events are in-memory fakes, and the clock starts at the
// decision, after detection and the report. So these figures are context with no goal: the fault path's
// goals belong to the end-to-end benchmarks on a real API server.
import { benchHostDown } from './executor-bench.js';
import type { BenchResult, Figure } from '../lib/report.js';
import { summary } from '../lib/stats.js';

const note = 'context: executor only, Kubernetes in memory, from the decision';

export async function runRemediationBenchmark(options: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<BenchResult> {
  const cases = await benchHostDown({
    servers: options.quick ? [1, 50] : [1, 10, 50, 200],
    latenciesMs: [0, 20],
    runs: options.quick ? 10 : 40,
    log: options.log,
  });
  const figures: Figure[] = cases.flatMap((c) =>
    (['p50', 'p99'] as const).map((statistic) => ({
      name: 'decision -> forced down + all reset + all notified',
      unit: 'ms',
      ...summary(c.samples, statistic),
      settings: { servers: c.servers, 'Nova latency': `${c.latencyMs} ms/call` },
      note,
    })),
  );
  return {
    benchmark: 'remediation',
    description:
      'executor only, Kubernetes in memory: decision -> forced down + all servers reset + all notified (real executor, Nova client, simulator, consumer; fake status, taint, Secrets, Events)',
    figures,
    details: { cases },
  };
}

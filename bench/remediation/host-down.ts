// Issue "inspector" benchmark: decision -> host forced down + every server reset + every consumer
// notified, for 1, 10, 50 and 200 servers, with the Nova simulator answering at once or after 20 ms per
// call. The measurement itself lives beside the remediation integration tests (it drives the real
// executor, Nova client, simulator and consumer); this turns its cases into figures beside their goals.
import { benchHostDown } from '../../test/integration/remediation/bench-host-down.js';
import type { BenchResult, Figure } from '../lib/report.js';

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
  const figures: Figure[] = [];
  for (const c of cases) {
    const goal = c.goalMs !== undefined ? `<= ${c.goalMs} ms (p99)` : '(context)';
    const met = c.goalMs !== undefined ? c.p99 <= c.goalMs : undefined;
    const label = `${c.servers} servers, Nova ${c.latencyMs} ms/call`;
    figures.push({ name: `${label}, p50`, value: c.p50, unit: 'ms', goal, samples: c.samples.length });
    figures.push({
      name: `${label}, p99`,
      value: c.p99,
      unit: 'ms',
      goal,
      ...(met !== undefined ? { met } : {}),
      samples: c.samples.length,
    });
  }
  return {
    benchmark: 'remediation',
    description:
      'decision -> forced down + all servers reset + all notified (real executor, Nova client, simulator, consumer)',
    figures,
    details: { cases },
  };
}

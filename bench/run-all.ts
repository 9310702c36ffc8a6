// `make bench`: runs every benchmark the issues name, prints each figure beside its goal, and writes
// bench/results/<date>.json, latest.json and latest.md. `--quick` runs smaller versions for a smoke check.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../test/support/control-plane/paths.js';
import { runNodeLifecycleBaseline } from './baseline/node-lifecycle.js';
import { runFunctestBenchmark } from './functest/notification.js';
import { runRackFailureBenchmark } from './rack/rack-failure.js';
import { runMonitorBenchmark } from './monitor/detection.js';
import { runScaleBenchmark } from './operator/scale.js';
import { runRemediationBenchmark } from './remediation/host-down.js';
import { runFaultInjectionBenchmark } from './fault-injection/faults.js';
import { formatTable, writeResults, type BenchResult } from './lib/report.js';

interface Benchmark {
  name: string;
  run(quick: boolean, log: (line: string) => void): Promise<BenchResult>;
}

const resultsDir = join(repoRoot, 'bench/results');
/** Our median detection time from the functest run, for the baseline's ratio. */
let detectionMs: number | undefined;

const benchmarks: Benchmark[] = [
  {
    name: 'monitor',
    run: (quick, log) => runMonitorBenchmark({ quick, log }),
  },
  {
    name: 'remediation',
    run: (quick, log) => runRemediationBenchmark({ quick, log }),
  },
  {
    name: 'functest',
    run: (quick, log) =>
      runFunctestBenchmark({ faults: quick ? 3 : 12, serversPerHost: 50, resultsDir, log }),
  },
  {
    name: 'rack-failure',
    run: (quick, log) => runRackFailureBenchmark({ runs: quick ? 2 : 5, log }),
  },
  {
    name: 'baseline-node-lifecycle',
    run: (_quick, log) =>
      runNodeLifecycleBaseline({
        log,
        ...(detectionMs !== undefined ? { ourDetectionMs: detectionMs } : {}),
      }),
  },
  {
    name: 'fault-injection',
    run: (quick, log) => runFaultInjectionBenchmark({ quick, log }),
  },
  {
    name: 'operator-scale',
    run: (quick, log) =>
      runScaleBenchmark({
        nodes: quick ? 200 : 1000,
        runs: quick ? 1 : 3,
        idleSeconds: quick ? 10 : 60,
        log,
      }),
  },
];

async function main(): Promise<number> {
  mkdirSync(resultsDir, { recursive: true });
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, only: { type: 'string' } } });
  const quick = values.quick ?? false;
  const selected = benchmarks.filter((b) => !values.only || values.only.split(',').includes(b.name));
  const results: BenchResult[] = [];
  const failures: string[] = [];
  for (const [i, benchmark] of selected.entries()) {
    const started = Date.now();
    console.log(`bench: [${i + 1}/${selected.length}] ${benchmark.name}${quick ? ' (quick)' : ''} ...`);
    try {
      const result = await benchmark.run(quick, (line) => console.log(`bench:   ${line}`));
      results.push(result);
      if (result.benchmark === 'functest') {
        detectionMs = result.figures.find((f) => f.name.startsWith('detection'))?.value;
      }
      console.log(
        `bench: [${i + 1}/${selected.length}] ${benchmark.name} done in ${((Date.now() - started) / 1000).toFixed(0)} s`,
      );
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      failures.push(`${benchmark.name}: ${message}`);
      console.error(`bench: [${i + 1}/${selected.length}] ${benchmark.name} FAILED: ${message}`);
    }
  }
  if (results.length > 0) {
    writeResults(resultsDir, results, { quick });
    console.log(`\n${formatTable(results)}\n`);
    console.log('bench: results written to bench/results/latest.json and bench/results/latest.md');
  }
  return failures.length === 0 ? 0 : 1;
}

// Ctrl-C or a kill: exit through process.exit so the launcher's exit hook kills every component
// (control planes, operators, monitors) a benchmark started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`bench: ${signal}: stopping`);
    process.exit(130);
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);

// `make bench`: runs every benchmark and prints each figure beside its goal. A full run
// writes bench/results/<date>.json, latest.json, latest.md and the README's performance table, all from
// this one run; `--quick` (smaller versions, a smoke check) and `--only=a,b` write elsewhere (see
// lib/results-files.ts). Unknown names or options are refused with status 2.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { repoRoot } from '../tools/cluster/paths.js';
import { runNodeLifecycleBaseline } from './baseline/node-lifecycle.js';
import { runEndToEndBenchmark } from './e2e/real-path.js';
import { runFunctestBenchmark } from './functest/notification.js';
import { runRackFailureBenchmark } from './rack/rack-failure.js';
import { runMonitorBenchmark } from './monitor/detection.js';
import { runScaleBenchmark } from './operator/scale.js';
import { runRemediationBenchmark } from './remediation/host-down.js';
import { runMaintenanceBenchmark } from './maintenance/host-empty.js';
import { runSeedEventBenchmark } from './seed/seed-event.js';
import { parseBenchArgs, usage, UsageError } from './lib/args.js';
import { figureProblems, type BenchResult } from './lib/report.js';
import { resultsDirFor, writeRun } from './lib/results-files.js';
import { collectRunInfo, describeCommit } from './lib/run-info.js';
import { formatTables, type RecordedResult } from './lib/table.js';
import { runFaultInjectionBenchmark } from './fault-injection/faults.js';
import { errorText } from '../src/util/error-text.js';

interface Benchmark {
  name: string;
  /** What it measures and how, printed before it starts. */
  what(quick: boolean): string;
  /** `dir`: where this run's results go, for any file (chart) a benchmark writes besides its figures. */
  run(quick: boolean, log: (line: string) => void, dir: string): Promise<BenchResult>;
}

const resultsRoot = join(repoRoot, 'bench/results');
const readmePath = join(repoRoot, 'README.md');
/** A quick run longer than this says so: CI runs it after the tests, so it must stay a smoke check. */
const quickBudgetSeconds = 300;
/** Our median detection time from the functest run, for the baseline's ratio. */
let detectionMs: number | undefined;

// Quick sizes keep the whole smoke run to a few minutes; full sizes give the sample counts the tables need.
const monitorFaults = (quick: boolean) => (quick ? 5 : 50);
const functestFaults = (quick: boolean) => (quick ? 2 : 12);
const rackRuns = (quick: boolean) => (quick ? 1 : 5);
const pathFaults = (quick: boolean) => (quick ? 3 : 20);
const seedRuns = (quick: boolean) =>
  quick
    ? { starts: 1, faultsPerStart: 3, pagingFaults: 2 }
    : { starts: 5, faultsPerStart: 8, pagingFaults: 10 };
const scale = (quick: boolean) =>
  quick ? { nodes: 100, runs: 1, idleSeconds: 5 } : { nodes: 1000, runs: 3, idleSeconds: 60 };

const benchmarks: Benchmark[] = [
  {
    name: 'monitor',
    what: (quick) =>
      `monitor detection latency in network namespaces (${monitorFaults(quick)} faults per setting) and one monitor's CPU/RSS`,
    run: (quick, log) => runMonitorBenchmark({ quick, log, faults: monitorFaults(quick) }),
  },
  {
    name: 'remediation',
    what: (quick) =>
      `remediation executor alone, Kubernetes in memory, Nova simulator (${quick ? '1 and 50 servers, 10' : '1-200 servers, 40'} runs each)`,
    run: (quick, log) => runRemediationBenchmark({ quick, log }),
  },
  {
    name: 'functest',
    what: (quick) =>
      `Doctor's functest on a local control plane: ${functestFaults(quick)} link-down faults, 50 servers`,
    run: (quick, log, dir) =>
      runFunctestBenchmark({ faults: functestFaults(quick), serversPerHost: 50, resultsDir: dir, log }),
  },
  {
    name: 'seed-event',
    what: (quick) => {
      const s = seedRuns(quick);
      return `Doctor's seed event POSTed to /events -> forced down + 50 servers reset, ${s.starts} operator start(s) x ${s.faultsPerStart} faults; then ${s.pagingFaults} faults with Nova paging 2/page and a 503`;
    },
    run: (quick, log) => runSeedEventBenchmark({ ...seedRuns(quick), log }),
  },
  {
    name: 'e2e-real-path',
    what: (quick) =>
      `link down in a netns -> all 50 servers reset and consumers told, ${pathFaults(quick)} faults at Nova 0 and 20 ms`,
    run: (quick, log) => runEndToEndBenchmark({ faults: pathFaults(quick), log }),
  },
  {
    name: 'maintenance',
    what: (quick) =>
      `planned maintenance: cordon -> host empty, 50 servers migrating 1 s each, 32 and 8 in flight (${quick ? 1 : 5} run(s) each)`,
    run: (quick, log) => runMaintenanceBenchmark({ quick, log }),
  },
  {
    name: 'rack-failure',
    what: (quick) =>
      `20 of 100 hosts fail at once, ${rackRuns(quick)} run(s), then a storm that must be held`,
    run: (quick, log) => runRackFailureBenchmark({ runs: rackRuns(quick), log }),
  },
  {
    name: 'baseline-node-lifecycle',
    what: () =>
      "vanilla Kubernetes node-lifecycle controller's NotReady time (about a minute, even when quick)",
    run: (_quick, log) =>
      runNodeLifecycleBaseline({
        log,
        ...(detectionMs !== undefined ? { ourDetectionMs: detectionMs } : {}),
      }),
  },
  {
    name: 'fault-injection',
    what: (quick) =>
      `kill -9 of the operator during a 50-server remediation, ${quick ? 'a few' : '100'} trials; API server stopped; Nova 503s; consumer down`,
    run: (quick, log) => runFaultInjectionBenchmark({ quick, log }),
  },
  {
    name: 'operator-scale',
    what: (quick) => {
      const s = scale(quick);
      return `${s.nodes} kwok Nodes, ${s.runs} policy apply(s), ${s.idleSeconds} s of idle operator`;
    },
    run: (quick, log) => runScaleBenchmark({ ...scale(quick), log }),
  },
];

const started = Date.now();
function say(line: string, stream: NodeJS.WriteStream = process.stdout): void {
  const s = Math.round((Date.now() - started) / 1000);
  stream.write(`bench [${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}] ${line}\n`);
}

async function main(): Promise<number> {
  const known = benchmarks.map((b) => b.name);
  let args;
  try {
    args = parseBenchArgs(process.argv.slice(2), known);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`bench: ${err.message}\n${usage(known)}`);
    return 2;
  }
  if (args.help) {
    console.log(usage(known));
    return 0;
  }
  const run = collectRunInfo(repoRoot, args.quick ? 'quick' : args.partial ? 'partial' : 'full');
  const dir = resultsDirFor(resultsRoot, run.mode);
  // Benchmarks write their charts into it as they go (a fresh clone has no quick/ or partial/ yet).
  mkdirSync(dir, { recursive: true });
  const selected = benchmarks.filter((b) => args.selected.includes(b.name));
  say(
    `${run.mode} run of ${selected.length} benchmark(s) at commit ${describeCommit(run)}, ` +
      `load average ${run.loadAverage.join(' / ')}; results go to ${dir}`,
  );
  for (const [i, b] of selected.entries()) say(`  ${i + 1}. ${b.name}: ${b.what(args.quick)}`);

  const results: RecordedResult[] = [];
  const failures: string[] = [];
  for (const [i, benchmark] of selected.entries()) {
    const t0 = Date.now();
    const tag = `[${i + 1}/${selected.length}] ${benchmark.name}`;
    const load = loadavg().map((l) => Number(l.toFixed(2)));
    say(`${tag}: ${benchmark.what(args.quick)} (load average ${load[0]})`);
    try {
      const result = await benchmark.run(args.quick, (line) => say(`  ${benchmark.name}: ${line}`), dir);
      const seconds = (Date.now() - t0) / 1000;
      results.push({
        ...result,
        started: { at: new Date(t0).toISOString(), loadAverage: load },
        seconds,
        commit: run.commit,
        dirty: run.dirty,
      });
      const problems = figureProblems(result);
      failures.push(...problems);
      for (const p of problems) say(`${tag}: bad figure: ${p}`, process.stderr);
      if (result.benchmark === 'functest') {
        detectionMs = result.figures.find((f) => f.name.startsWith('detection'))?.value;
      }
      say(`${tag}: done in ${seconds.toFixed(0)} s`);
    } catch (err) {
      const message = errorText(err);
      failures.push(`${benchmark.name}: ${message}`);
      say(`${tag}: FAILED: ${message}`, process.stderr);
    }
  }
  const record = { run, results, failures };
  if (results.length > 0) {
    console.log(`\n${formatTables(results)}\n`);
    const files = await writeRun(resultsRoot, readmePath, record);
    say(`results written: ${files.map((f) => f.slice(repoRoot.length + 1)).join(', ')}`);
  }
  const total = (Date.now() - started) / 1000;
  say(`${results.length} of ${selected.length} benchmark(s) finished in ${total.toFixed(0)} s`);
  if (args.quick && total > quickBudgetSeconds)
    say(`warning: the quick run took longer than its ${quickBudgetSeconds} s budget`, process.stderr);
  for (const f of failures) say(`failure: ${f}`, process.stderr);
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
    console.error(`bench: ${errorText(err)}`);
    process.exitCode = 1;
  },
);

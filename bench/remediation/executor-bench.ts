// Benchmark helper for `make bench`: host-down decision handed to the executor -> Nova service
// forced down + every server reset + every consumer notification delivered. The Nova simulator and the
// sample consumer run as their own processes (as they would be in a cloud), so the figure is the
// executor's and not the cost of serving its calls on the same thread. The Nova client is warm (token and
// microversion cached), as in a running operator. Run directly for a quick look:
//   node dist/bench/remediation/executor-bench.js [--quick]
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openStackNovaFactory } from '../../src/remediation/index.js';
import { exited, spawnConsumer } from '../../test/integration/consumer/spawn.js';
import { executorOn, memoryKube } from '../../test/unit/remediation/bed.js';
import { policy, target } from '../../test/unit/remediation/fakes.js';
import { errorText } from '../../src/util/error-text.js';

export interface HostDownBenchCase {
  servers: number;
  latencyMs: number;
  /** Milliseconds per run, end to end. */
  samples: number[];
  p50: number;
  p99: number;
  /** Median milliseconds from the call to each timeline point (ms resolution, wall clock). */
  phasesP50: Record<'T04' | 'T05' | 'T06' | 'T07', number>;
  /** The goal for this case, when there is one. */
  goalMs?: number;
}

export interface HostDownBenchOptions {
  servers?: number[];
  latenciesMs?: number[];
  runs?: number;
  log?: (line: string) => void;
}

function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] ?? NaN;
}

// Goals: 50 servers at 0 ms <= 50 ms p99; at 20 ms per call <= 100 ms p99.
function goalFor(servers: number, latencyMs: number): number | undefined {
  if (servers !== 50) return undefined;
  if (latencyMs === 0) return 50;
  if (latencyMs === 20) return 100;
  return undefined;
}

const simMain = fileURLToPath(new URL('../../tools/nova-sim/main.js', import.meta.url));

interface SimProcess {
  cloudsYaml: string;
  stop(): Promise<void>;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child);
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await done;
  clearTimeout(killer);
}

/** The simulator as a child process; its clouds.yaml comes on stdout, then "listening" on stderr. */
async function spawnSim(host: string, servers: number, latencyMs: number): Promise<SimProcess> {
  const child = spawn(
    process.execPath,
    [
      simMain,
      '--hosts',
      host,
      '--servers-per-host',
      String(servers),
      '--latency-ms',
      String(latencyMs),
      '--print-clouds-yaml',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`nova-sim did not start within 10 s: ${stderr}`)),
        10_000,
      );
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        if (stderr.includes('nova-sim listening')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`nova-sim exited with ${code}: ${stderr}`));
      });
    });
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return { cloudsYaml: stdout, stop: () => stopChild(child) };
}

const phasePoints = ['T04', 'T05', 'T06', 'T07'] as const;
type Phases = Record<(typeof phasePoints)[number], number[]>;

async function runCase(
  servers: number,
  latencyMs: number,
  runs: number,
): Promise<{ samples: number[]; phases: Phases }> {
  const host = 'bench-host';
  const sim = await spawnSim(host, servers, latencyMs);
  const consumer = await spawnConsumer([]).catch(async (err: unknown) => {
    await sim.stop();
    throw err;
  });
  const kube = memoryKube({ 'openstack-clouds/clouds.yaml': sim.cloudsYaml });
  const executor = executorOn(kube, {
    novaFactory: openStackNovaFactory({ timeoutMs: 10_000, maxSockets: 64 }),
    options: { stopTimeoutMs: 2000 },
  });
  const p = policy({ notify: [target({ url: `${consumer.url}/failure` })] });
  try {
    await executor.warmUp(p);
    const samples: number[] = [];
    const phases: Phases = { T04: [], T05: [], T06: [], T07: [] };
    // One unmeasured run warms the code paths and the connection pools.
    for (let run = -1; run < runs; run++) {
      const faultId = `bench${String(run + 1).padStart(11, '0')}`;
      const started = performance.now();
      const wall = Date.now();
      const result = await executor.hostDown({
        policy: p,
        node: host,
        novaHost: host,
        decision: {
          faultId,
          detectedAt: new Date().toISOString(),
          firstReportReceivedAt: new Date().toISOString(),
          declaredAt: new Date().toISOString(),
        },
      });
      const elapsed = performance.now() - started;
      if (
        !result.forcedDown ||
        result.serversMarkedError !== servers ||
        result.notificationsDelivered !== servers
      )
        throw new Error(`run ${run} did not finish: ${JSON.stringify(result)}`);
      if (run >= 0) samples.push(elapsed);
      const t = kube.store.status(host).timeline ?? {};
      if (run >= 0)
        for (const point of phasePoints) {
          const value = t[point];
          if (value !== undefined) phases[point].push(Date.parse(value) - wall);
        }
      await executor.settled(host);
    }
    return { samples, phases };
  } finally {
    await executor.stop();
    await consumer.stop();
    await sim.stop();
  }
}

export async function benchHostDown(options: HostDownBenchOptions = {}): Promise<HostDownBenchCase[]> {
  const cases: HostDownBenchCase[] = [];
  for (const latencyMs of options.latenciesMs ?? [0, 20]) {
    for (const servers of options.servers ?? [1, 10, 50, 200]) {
      const { samples, phases } = await runCase(servers, latencyMs, options.runs ?? 20);
      const goalMs = goalFor(servers, latencyMs);
      const result: HostDownBenchCase = {
        servers,
        latencyMs,
        samples,
        p50: percentile(samples, 50),
        p99: percentile(samples, 99),
        phasesP50: {
          T04: percentile(phases.T04, 50),
          T05: percentile(phases.T05, 50),
          T06: percentile(phases.T06, 50),
          T07: percentile(phases.T07, 50),
        },
        ...(goalMs !== undefined ? { goalMs } : {}),
      };
      cases.push(result);
      options.log?.(
        `${servers} servers, Nova latency ${latencyMs} ms: p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms` +
          (goalMs !== undefined ? ` (goal p99 <= ${goalMs} ms)` : '') +
          `; median T04 ${result.phasesP50.T04} T05 ${result.phasesP50.T05} T06 ${result.phasesP50.T06} T07 ${result.phasesP50.T07} ms`,
      );
    }
  }
  return cases;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' } } });
  benchHostDown({ runs: values.quick === true ? 5 : 20, log: (line) => console.log(line) }).then(
    () => undefined,
    (err: unknown) => {
      console.error(errorText(err));
      process.exitCode = 1;
    },
  );
}

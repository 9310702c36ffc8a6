// Runs `doctor operator` as a real process against the test cluster, as a Deployment would run it.
import { join } from 'node:path';
import { httpGet } from '../cluster/health.js';
import { repoRoot } from '../cluster/paths.js';
import { freePort } from '../cluster/ports.js';
import { signalGroup, startComponent, tailOfLog, type ComponentProcess } from '../cluster/process.js';
import { waitFor } from '../cluster/wait.js';
import { operatorNodeOptions } from '../../src/operator/node-options.js';

export interface OperatorProcess {
  identity: string;
  healthPort: number;
  inspectorPort: number;
  /** URL of the inspector's /events on this replica. */
  eventsUrl: string;
  process: ComponentProcess;
  /** GET a path of the health server; undefined when it does not answer. */
  get(path: string): Promise<{ status: number; body: string } | undefined>;
  /** Ready: caches synced. Every replica, standby included, becomes Ready. */
  isReady(): Promise<boolean>;
  /** This replica leads now (its doctor_leader gauge is 1). */
  isLeader(): Promise<boolean>;
  /** SIGTERM; fails (after a SIGKILL that cleans up) unless the operator exits on its own, with code 0,
   * within `shutdownBoundMs`. Resolves with how long it took. */
  stop(): Promise<number>;
  kill(): Promise<void>;
}

export async function startOperatorProcess(options: {
  kubeconfig: string;
  logDir: string;
  identity: string;
  namespace?: string;
  extraArgs?: string[];
}): Promise<OperatorProcess> {
  const healthPort = await freePort();
  const inspectorPort = await freePort();
  const args = [
    // As the chart starts it (NODE_OPTIONS), so figures measured here hold for a deployment.
    ...operatorNodeOptions.split(' '),
    ...profilingArgs(options.identity),
    join(repoRoot, 'dist/src/cli.js'),
    ...operatorArgs({
      ...options,
      namespace: options.namespace ?? 'doctor-system',
      healthPort,
      inspectorPort,
    }),
  ];
  const proc = startComponent(
    `operator-${options.identity}`,
    process.execPath,
    args,
    join(options.logDir, `${options.identity}.log`),
  );
  const get = async (path: string) => httpGet(`http://127.0.0.1:${healthPort}${path}`).catch(() => undefined);
  await waitForHealthz(`operator ${options.identity}`, healthPort, {
    timeoutMs: 30_000,
    abortIf: () => (proc.hasExited() ? `it exited; see ${proc.logPath}` : undefined),
  });
  return {
    identity: options.identity,
    healthPort,
    inspectorPort,
    eventsUrl: `http://127.0.0.1:${inspectorPort}/events`,
    process: proc,
    get,
    isReady: async () => (await get('/readyz'))?.status === 200,
    isLeader: async () => {
      const metrics = await get('/metrics');
      return metrics?.status === 200 && gaugeValue(metrics.body, 'doctor_leader') === 1;
    },
    stop: () => stopWithinBound(proc),
    kill: async () => {
      process.kill(proc.pid, 'SIGKILL');
      await proc.exited;
    },
  };
}

/** `doctor operator` arguments for one replica serving its health and inspector ports on 127.0.0.1. */
export function operatorArgs(options: {
  kubeconfig: string;
  namespace: string;
  identity: string;
  healthPort: number;
  inspectorPort: number;
  extraArgs?: string[];
}): string[] {
  return [
    'operator',
    '--kubeconfig',
    options.kubeconfig,
    '--namespace',
    options.namespace,
    '--identity',
    options.identity,
    '--health-probe-bind-address',
    `127.0.0.1:${options.healthPort}`,
    '--inspector-bind-address',
    `127.0.0.1:${options.inspectorPort}`,
    // Consumers answer maintenance notifications on this replica's inspector port.
    '--maintenance-reply-url',
    `http://127.0.0.1:${options.inspectorPort}`,
    ...(options.extraArgs ?? []),
  ];
}

/** Waits until an operator's /healthz on 127.0.0.1 answers 200; `abortIf` says why to stop waiting. */
export async function waitForHealthz(
  what: string,
  healthPort: number,
  options: { timeoutMs: number; abortIf: () => string | undefined },
): Promise<void> {
  const url = `http://127.0.0.1:${healthPort}/healthz`;
  await waitFor(
    `${what} to serve /healthz`,
    async () => ((await httpGet(url).catch(() => undefined))?.status === 200 ? true : undefined),
    options,
  );
}

/**
 * With DOCTOR_OPERATOR_CPU_PROF_DIR set, every operator process writes a V8 CPU profile there when it
 * exits (sampled every 100 us): where the operator spends its time in a benchmark or demo.
 */
export function profilingArgs(identity: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const dir = env.DOCTOR_OPERATOR_CPU_PROF_DIR;
  if (dir === undefined || dir === '') return [];
  return [
    '--cpu-prof',
    `--cpu-prof-dir=${dir}`,
    `--cpu-prof-name=operator-${identity}-${Date.now()}.cpuprofile`,
    '--cpu-prof-interval=100',
  ];
}

/** Leader election flags with short times, so a test sees a takeover in seconds. */
export function shortLeaseArgs(
  leaseName: string,
  leaseDurationSeconds = 4,
  renewDeadlineSeconds = 3,
): string[] {
  const timing = {
    'lease-duration': leaseDurationSeconds,
    'renew-deadline': renewDeadlineSeconds,
    'retry-period': 1,
  };
  return [
    '--lease-name',
    leaseName,
    ...Object.entries(timing).flatMap(([flag, value]) => [`--${flag}`, `${value}`]),
  ];
}

/** The operator promises to exit within 2 s of SIGTERM; the bound leaves room for a loaded machine. */
export const shutdownBoundMs = 8_000;

/** Stops a process with SIGTERM and fails loudly when it does not exit by itself in time or cleanly. */
export async function stopWithinBound(proc: ComponentProcess, boundMs = shutdownBoundMs): Promise<number> {
  if (proc.hasExited()) return 0;
  const startedAt = Date.now();
  signalGroup(proc.pid, 'SIGTERM');
  const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), boundMs).unref());
  const outcome = await Promise.race([proc.exited, timer]);
  if (outcome === 'timeout') {
    signalGroup(proc.pid, 'SIGKILL');
    await proc.exited;
    throw new Error(
      `${proc.name} did not exit within ${boundMs} ms of SIGTERM (killed); log tail:\n${tailOfLog(proc.logPath)}`,
    );
  }
  if (outcome !== 0)
    throw new Error(
      `${proc.name} exited with ${outcome} after SIGTERM; log tail:\n${tailOfLog(proc.logPath)}`,
    );
  return Date.now() - startedAt;
}

/** The value of an unlabelled Prometheus gauge, from /metrics text. */
export function gaugeValue(metricsText: string, name: string): number | undefined {
  const line = metricsText.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

/** Sum of a Prometheus counter across its label sets, from /metrics text. */
export function counterTotal(metricsText: string, name: string): number {
  let total = 0;
  for (const line of metricsText.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) total += Number(line.split(' ').pop());
  }
  return total;
}

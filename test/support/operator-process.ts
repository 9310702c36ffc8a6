// Runs `doctor operator` as a real process against the test cluster, as a Deployment would run it.
import { join } from 'node:path';
import { httpGet } from './control-plane/health.js';
import { repoRoot } from './control-plane/paths.js';
import { freePort } from './control-plane/ports.js';
import { startComponent, type ComponentProcess } from './control-plane/process.js';
import { waitFor } from './control-plane/wait.js';

export interface OperatorProcess {
  identity: string;
  healthPort: number;
  inspectorPort: number;
  /** URL of the inspector's /events on this replica. */
  eventsUrl: string;
  process: ComponentProcess;
  /** GET a path of the health server; undefined when it does not answer. */
  get(path: string): Promise<{ status: number; body: string } | undefined>;
  isReady(): Promise<boolean>;
  stop(): Promise<void>;
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
    join(repoRoot, 'dist/src/cli.js'),
    'operator',
    '--kubeconfig',
    options.kubeconfig,
    '--namespace',
    options.namespace ?? 'doctor-system',
    '--identity',
    options.identity,
    '--health-host',
    '127.0.0.1',
    '--health-port',
    String(healthPort),
    '--inspector-host',
    '127.0.0.1',
    '--inspector-port',
    String(inspectorPort),
    ...(options.extraArgs ?? []),
  ];
  const proc = startComponent(
    `operator-${options.identity}`,
    process.execPath,
    args,
    join(options.logDir, `${options.identity}.log`),
  );
  const get = async (path: string) => httpGet(`http://127.0.0.1:${healthPort}${path}`).catch(() => undefined);
  await waitFor(
    `operator ${options.identity} to serve /healthz`,
    async () => ((await get('/healthz'))?.status === 200 ? true : undefined),
    { timeoutMs: 30_000, abortIf: () => (proc.hasExited() ? `it exited; see ${proc.logPath}` : undefined) },
  );
  return {
    identity: options.identity,
    healthPort,
    inspectorPort,
    eventsUrl: `http://127.0.0.1:${inspectorPort}/events`,
    process: proc,
    get,
    isReady: async () => (await get('/readyz'))?.status === 200,
    stop: () => proc.stop(20_000),
    kill: async () => {
      process.kill(proc.pid, 'SIGKILL');
      await proc.exited;
    },
  };
}

/** Sum of a Prometheus counter across its label sets, from /metrics text. */
export function counterTotal(metricsText: string, name: string): number {
  let total = 0;
  for (const line of metricsText.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) total += Number(line.split(' ').pop());
  }
  return total;
}

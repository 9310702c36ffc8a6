// Starts the Nova simulator as a child process (child.ts) and talks to it over IPC: for benchmarks, whose
// own work must not delay the simulator's stamps. Every question is answered inside the child.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../cluster/paths.js';
import type { ChildReady, HostFacts, SimChildOptions, SimReply, SimRequest } from './child-protocol.js';
import type { SimCall } from './traffic.js';

export type { HostFacts } from './child-protocol.js';
import type { HostRemediationCalls } from './fault-calls.js';

export interface NovaSimProcess {
  url: string;
  authUrl: string;
  pid: number;
  cloudsYaml(): string;
  clearCalls(): Promise<void>;
  /** Delay added to every call from now on. */
  setLatency(latencyMs: number): Promise<void>;
  /** From now on, the first `calls` Nova calls matching `path` answer 503 (a new injection each time). */
  failFirstCalls(calls: number, path: RegExp): Promise<void>;
  novaCalls(method?: string, path?: RegExp): Promise<SimCall[]>;
  hostFacts(host: string): Promise<HostFacts>;
  /** Sets every server of the host back to ACTIVE. */
  restoreServers(host: string): Promise<void>;
  /** Resolves once the host is forced down and all its servers reset; ask before the fault starts, so
   * that no question reaches the simulator while it is stamping the fault's calls. */
  awaitRemediation(host: string, timeoutMs: number): Promise<HostRemediationCalls>;
  stop(): Promise<void>;
}

type Pending = { resolve: (value: unknown) => void; reject: (err: Error) => void };
type RequestBody = SimRequest extends infer R ? (R extends SimRequest ? Omit<R, 'id'> : never) : never;

export async function startNovaSimProcess(
  options: SimChildOptions,
  startTimeoutMs = 30_000,
): Promise<NovaSimProcess> {
  const child: ChildProcess = fork(
    join(repoRoot, 'dist/tools/nova-sim/child.js'),
    [JSON.stringify(options)],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const pending = new Map<number, Pending>();
  let nextId = 1;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<ChildReady>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('the Nova simulator process did not start')),
      startTimeoutMs,
    );
    pending.set(0, {
      resolve: (value) => {
        clearTimeout(timer);
        resolve(value as ChildReady);
      },
      reject,
    });
  });
  child.on('message', (reply: SimReply) => {
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.ok) waiter?.resolve(reply.value);
    else waiter?.reject(new Error(reply.error));
  });
  child.once('exit', (code) => {
    for (const waiter of pending.values())
      waiter.reject(new Error(`the Nova simulator process exited (${code})`));
    pending.clear();
  });
  const ask = <T>(body: RequestBody): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: (v) => resolve(v as T), reject });
      child.send({ ...body, id });
    });
  let info: ChildReady;
  try {
    info = await ready;
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    url: info.url,
    authUrl: info.authUrl,
    pid: child.pid ?? -1,
    cloudsYaml: () => info.cloudsYaml,
    clearCalls: () => ask({ op: 'clearCalls' }),
    setLatency: (latencyMs) => ask({ op: 'setLatency', latencyMs }),
    failFirstCalls: (calls, path) => ask({ op: 'failFirstCalls', calls, path: path.source }),
    novaCalls: (method, path) =>
      ask({
        op: 'novaCalls',
        ...(method !== undefined ? { method } : {}),
        ...(path ? { path: path.source } : {}),
      }),
    hostFacts: (host) => ask({ op: 'hostFacts', host }),
    restoreServers: (host) => ask({ op: 'restoreServers', host }),
    awaitRemediation: (host, timeoutMs) => ask({ op: 'awaitRemediation', host, timeoutMs }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // Closing the channel stops it (child.ts); SIGKILL if it does not go within a few seconds.
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

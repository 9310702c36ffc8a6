// A long-running component process with its output in a log file. Each component gets its own process
// group so a Ctrl-C in the terminal reaches the launcher, which stops components in order, rather than
// killing them all at once mid-write.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface ComponentProcess {
  name: string;
  pid: number;
  logPath: string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  hasExited(): boolean;
  stop(graceMs?: number): Promise<void>;
}

/** Components not yet stopped. If the launcher exits abruptly (process.exit after Ctrl-C, an uncaught
 * error), the exit hook kills them so nothing outlives it; a detached cluster is released from this. */
const liveComponents = new Set<number>();
process.on('exit', () => {
  for (const pid of liveComponents) signalGroup(pid, 'SIGKILL');
});

export function releaseComponents(pids: number[]): void {
  for (const pid of pids) liveComponents.delete(pid);
}

export function tailOfLog(path: string, lines = 15): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(log file not readable)';
  }
}

export function startComponent(
  name: string,
  binary: string,
  args: string[],
  logPath: string,
  options: { detached?: boolean; env?: NodeJS.ProcessEnv } = {},
): ComponentProcess {
  const logFd = openSync(logPath, 'a');
  const child = spawn(binary, args, {
    stdio: ['ignore', logFd, logFd],
    detached: true,
    env: options.env ?? process.env,
  });
  closeSync(logFd);
  if (child.pid === undefined) {
    throw new Error(`could not start ${name} (${binary}); see ${logPath}`);
  }
  if (options.detached) child.unref();
  liveComponents.add(child.pid);
  const pid = child.pid;
  let done = false;
  const exited = new Promise<number | string>((resolveExit) => {
    child.once('exit', (code, signal) => {
      done = true;
      liveComponents.delete(pid);
      resolveExit(code ?? signal ?? -1);
    });
    child.once('error', () => {
      done = true;
      liveComponents.delete(pid);
      resolveExit(-1);
    });
  });
  return {
    name,
    pid,
    logPath,
    exited,
    hasExited: () => done,
    async stop(graceMs = 10_000) {
      if (done) return;
      signalGroup(pid, 'SIGTERM');
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
      if ((await Promise.race([exited, timer])) === 'timeout') {
        signalGroup(pid, 'SIGKILL');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000).unref())]);
      }
    },
  };
}

/** Signals a component's whole process group; a missing process is not an error. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Alive and not a zombie: a stopped detached component stays a zombie until init reaps it. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

// Each run folder records the pids it started, so `make cluster-down` can stop a detached cluster and a
// later run can stop the leftovers of one whose launcher was killed (kill -9 skips every exit handler).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterDir } from './paths.js';
import { isAlive, signalGroup, type ComponentProcess } from './process.js';

interface PidFile {
  owner: number;
  components: { name: string; pid: number }[];
}

const pidFileName = 'pids.json';
/** Names the run folder of the cluster `make cluster-up` left running on purpose. */
export const currentRunFile = join(clusterDir, 'current-run');

export function currentDetachedRun(): string | undefined {
  try {
    return readFileSync(currentRunFile, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export function writePidFile(runDir: string, components: ComponentProcess[]): void {
  const content: PidFile = {
    owner: process.pid,
    components: components.map((c) => ({ name: c.name, pid: c.pid })),
  };
  writeFileSync(join(runDir, pidFileName), JSON.stringify(content, null, 2));
}

function readPidFile(runDir: string): PidFile | undefined {
  try {
    return JSON.parse(readFileSync(join(runDir, pidFileName), 'utf8')) as PidFile;
  } catch {
    return undefined;
  }
}

/** True when pid is alive AND its command line names this run folder: pids get reused. */
function belongsToRun(pid: number, runDir: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(runDir);
  } catch {
    return false;
  }
}

/** Stops every component of a run folder, newest first; returns the names it had to stop. */
export async function stopRun(runDir: string, graceMs = 10_000): Promise<string[]> {
  const pids = readPidFile(runDir);
  if (!pids) return [];
  const stopped: string[] = [];
  for (const component of [...pids.components].reverse()) {
    if (!belongsToRun(component.pid, runDir)) continue;
    signalGroup(component.pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (belongsToRun(component.pid, runDir) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    if (belongsToRun(component.pid, runDir)) signalGroup(component.pid, 'SIGKILL');
    stopped.push(component.name);
  }
  return stopped;
}

/** Stops components left by launchers that died without cleaning up (never a detached cluster-up run). */
export async function reapOrphanedRuns(): Promise<string[]> {
  const runsDir = join(clusterDir, 'runs');
  if (!existsSync(runsDir)) return [];
  const detachedRunDir = currentDetachedRun();
  const reaped: string[] = [];
  for (const entry of readdirSync(runsDir)) {
    const runDir = join(runsDir, entry);
    if (runDir === detachedRunDir) continue;
    const pids = readPidFile(runDir);
    if (!pids || isAlive(pids.owner)) continue;
    const stopped = await stopRun(runDir, 5_000);
    if (stopped.length > 0) reaped.push(`${entry}: ${stopped.join(', ')}`);
  }
  return reaped;
}

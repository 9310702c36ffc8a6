// CPU and memory of a process (and its children) from /proc, for the monitor benchmarks.
import { readFileSync } from 'node:fs';
import { childPids } from '../../tools/testbed/processes.js';

export { childPids };

/** USER_HZ: the unit of the CPU fields in /proc/<pid>/stat (100 on every Linux architecture Node runs on). */
export const ticksPerSecond = 100;

export interface CpuTicks {
  /** utime + stime of the process itself. */
  own: number;
  /** cutime + cstime: children that already exited and were reaped. */
  reapedChildren: number;
}

export function cpuTicks(pid: number | 'self'): CpuTicks {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm)": state is field 3, utime 14, stime 15, cutime 16, cstime 17.
  const fields = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  return { own: fields[11]! + fields[12]!, reapedChildren: fields[13]! + fields[14]! };
}

/** Resident set size in kB (VmRSS), or 0 when the process is gone. */
export function rssKb(pid: number | 'self'): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** CPU ticks of live processes, keyed by pid (those that vanished are skipped). */
export function ticksOf(pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      out.set(pid, cpuTicks(pid).own);
    } catch {
      // Exited meanwhile.
    }
  }
  return out;
}

export interface CpuWindow {
  /** % of one core used by the process, its live children and children reaped during the window. */
  percentOfCore: number;
  processPercent: number;
  childrenPercent: number;
}

/** Measures a process and its children over `ms`. */
export async function measureCpu(pid: number | 'self', ms: number): Promise<CpuWindow> {
  const startAt = process.hrtime.bigint();
  const start = cpuTicks(pid);
  const startChildren = ticksOf(childPids(pid));
  await new Promise((r) => setTimeout(r, ms));
  const end = cpuTicks(pid);
  const endChildren = ticksOf(childPids(pid));
  const seconds = Number(process.hrtime.bigint() - startAt) / 1e9;
  let children = end.reapedChildren - start.reapedChildren;
  for (const [child, ticks] of endChildren) children += ticks - (startChildren.get(child) ?? 0);
  const toPercent = (ticks: number): number => (ticks / ticksPerSecond / seconds) * 100;
  return {
    percentOfCore: toPercent(end.own - start.own + children),
    processPercent: toPercent(end.own - start.own),
    childrenPercent: toPercent(children),
  };
}

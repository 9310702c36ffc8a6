// Process helpers for tests and benchmarks: the live children of a process, and whether a pid lives.
import { readdirSync, readFileSync } from 'node:fs';

/** Live direct children of a process (from /proc/<pid>/task/<tid>/children). */
export function childPids(pid: number | 'self'): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // The process is gone.
  }
  return out;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

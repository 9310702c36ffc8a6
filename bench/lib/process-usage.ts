// CPU time and resident memory of a process from /proc, for "RSS and CPU at steady state" figures.
import { readFileSync } from 'node:fs';

const clockTicks = 100; // USER_HZ on Linux

export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of /proc/<pid>/stat; fields[0] here is field 3.
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

export function rssMegabytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** Average share of one core used over a window, RSS at its end, and the peak of RSS read once a second. */
export async function measureSteadyState(
  pid: number,
  windowMs: number,
): Promise<{ cpuPercent: number; rssMb: number; peakRssMb: number; rssReadings: number }> {
  const startCpu = cpuSeconds(pid);
  const start = Date.now();
  let peak = rssMegabytes(pid);
  let rssReadings = 1;
  while (Date.now() - start < windowMs) {
    await new Promise((r) => setTimeout(r, Math.min(1_000, windowMs)));
    peak = Math.max(peak, rssMegabytes(pid));
    rssReadings++;
  }
  const cpu = cpuSeconds(pid) - startCpu;
  return {
    cpuPercent: (100 * cpu) / ((Date.now() - start) / 1000),
    rssMb: rssMegabytes(pid),
    peakRssMb: peak,
    rssReadings,
  };
}

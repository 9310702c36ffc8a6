// Where a process spent its CPU within a time window of its V8 CPU profile (--cpu-prof): the samples'
// timestamps are on the monotonic clock that process.hrtime() reads in any process of the machine, so a
// harness can name a window (a fault) by its own process.hrtime() stamps.
//   node dist/bench/lib/profile-window.js <profile.cpuprofile> <start-us> <duration-us> [top]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface WindowSummary {
  /** Samples that were not idle, and their share of the window's time in ms (samples x mean interval). */
  busySamples: number;
  idleSamples: number;
  busyMs: number;
  /** Functions by samples on top of the stack, most first. */
  self: [string, number][];
  /** Functions by samples anywhere on the stack, most first. */
  inclusive: [string, number][];
}

const frameName = (n: ProfileNode) =>
  `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(node_modules|dist)\//, '')}:${n.callFrame.lineNumber + 1}`;

const descending = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);

/** Summarises the samples taken in [startUs, endUs] (monotonic microseconds). */
export function summariseWindow(profile: CpuProfile, startUs: number, endUs: number): WindowSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  let t = profile.startTime;
  let intervals = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (t < startUs || t > endUs) continue;
    intervals += profile.timeDeltas[i] ?? 0;
    const node = byId.get(profile.samples[i]!);
    if (node === undefined) continue;
    if (node.callFrame.functionName === '(idle)') {
      idle++;
      continue;
    }
    busy++;
    const name = frameName(node);
    self.set(name, (self.get(name) ?? 0) + 1);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = frameName(byId.get(id)!);
      if (seen.has(frame)) continue;
      seen.add(frame);
      inclusive.set(frame, (inclusive.get(frame) ?? 0) + 1);
    }
  }
  const mean = busy + idle > 0 ? intervals / (busy + idle) : 0;
  return {
    busySamples: busy,
    idleSamples: idle,
    busyMs: (busy * mean) / 1000,
    self: descending(self),
    inclusive: descending(inclusive),
  };
}

function main(args: string[]): number {
  const [file, start, duration, top = '20'] = args;
  if (file === undefined || start === undefined || duration === undefined) {
    process.stderr.write('usage: profile-window <profile.cpuprofile> <start-us> <duration-us> [top]\n');
    return 2;
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const s = summariseWindow(profile, Number(start), Number(start) + Number(duration));
  const lines = [
    `busy ${s.busySamples} samples (~${s.busyMs.toFixed(2)} ms), idle ${s.idleSamples}`,
    '-- self',
    ...s.self.slice(0, Number(top)).map(([name, n]) => `${n} ${name}`),
    '-- inclusive',
    ...s.inclusive.slice(0, Number(top) * 2).map(([name, n]) => `${n} ${name}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));

// How the operator's Node.js is started (the chart sets NODE_OPTIONS to this; the demo and benchmark
// launchers pass the same). Node 24's V8 lets the young generation grow to 64 MB semi-spaces: under a
// steady load (a thousand monitors' heartbeats) the operator then held ~400 MB RSS for a 60 MB heap.
// 8 MB semi-spaces (16 MB of young generation at most, 32 MB at 16) cost no measurable CPU at a
// thousand monitors' heartbeats: few objects survive a scavenge, so a scavenge costs little.
import v8 from 'node:v8';

export const operatorNodeOptions = '--max-semi-space-size=8';

/**
 * How far (percent) the heap may grow beyond what the last full collection left alive before the next
 * full collection. V8 otherwise picks a factor of up to 4 for a heap this small when collecting looks
 * cheap: at a thousand monitors each heartbeat's latest verdicts live a few seconds, long enough to be
 * promoted, so the old generation filled with them up to twice the live heap before a full collection,
 * and the pages it had grown stayed resident; bursts (a policy's thousand HostHealths) did the same. At a
 * thousand nodes RSS peaked at 280 MB under heartbeats and 225 MB idle after bursts; with a quarter,
 * at 182 and 178 MB, for a full collection every few seconds of heartbeats and no more CPU measured.
 */
export const operatorHeapGrowingPercent = 25;

/** V8 flags NODE_OPTIONS does not accept: the operator sets them itself as it starts. */
export const operatorV8Flags = `--heap-growing-percent=${operatorHeapGrowingPercent}`;

/** Sets `operatorV8Flags` in this process; V8 reads them at each collection, so setting them early in
 * the process is enough. */
export function applyOperatorV8Flags(): void {
  v8.setFlagsFromString(operatorV8Flags);
}

// Times of one fault taken inside the processes that act, never by the harness: the Nova simulator's
// own record of when each call arrived and was answered, the inspector's receive time and decision
// (HostHealth timeline), the consumer's receive times. All epoch milliseconds on the same machine.
import type { SimCall, NovaSim } from '../../tools/nova-sim/index.js';
import { hostRemediationCalls, type HostRemediationCalls } from '../../tools/nova-sim/fault-calls.js';
import type { Figure } from '../lib/report.js';
import { summary } from '../lib/stats.js';

export interface NovaFaultTimes {
  /** The first write of this fault (force-down or a reset) arrived at Nova. */
  firstWriteAt: number;
  /** Nova answered the force-down. */
  forcedDownAt: number;
  /** Nova answered the last reset of the host's servers. */
  lastResetAt: number;
  resets: number;
}

const answeredAt = (c: SimCall) => c.startedAtMs + c.durationMs;

/** The victim's force-down and resets in the simulator's call log; undefined until all are there. */
export function novaFaultTimes(nova: NovaSim, host: string): NovaFaultTimes | undefined {
  const service = nova.state.computeService(host);
  if (service === undefined) return undefined;
  const servers = nova.state.serversOnHost(host).map((s) => s.id);
  const found = hostRemediationCalls(nova.novaCalls(), service.uuid, servers);
  return found === undefined ? undefined : faultTimesOf(found);
}

/** The times of one fault from its successful force-down and reset calls. */
export function faultTimesOf({ forceDown, resets }: HostRemediationCalls): NovaFaultTimes {
  const writes = [...forceDown, ...resets];
  return {
    firstWriteAt: Math.min(...writes.map((c) => c.startedAtMs)),
    forcedDownAt: Math.min(...forceDown.map(answeredAt)),
    lastResetAt: Math.max(...resets.map(answeredAt)),
    resets: new Set(resets.map((c) => c.path)).size,
  };
}

/** p50 and p99 of one measured span, the p99 held to `goalMs` when there is one (else context). */
export function spanFigures(name: string, samples: readonly number[], goalMs?: number): Figure[] {
  const round = (v: number) => Math.round(v * 10) / 10;
  const p50 = summary(samples, 'p50');
  const tail = summary(samples, 'p99');
  // One sample: its p50 and p99 are the same figure, shown once.
  if (goalMs === undefined && samples.length === 1)
    return [{ name, unit: 'ms', ...tail, value: round(tail.value), note: 'context' }];
  return [
    {
      name,
      unit: 'ms',
      ...p50,
      value: round(p50.value),
      ...(goalMs === undefined ? { note: 'context' } : {}),
    },
    {
      name,
      unit: 'ms',
      ...tail,
      value: round(tail.value),
      ...(goalMs === undefined
        ? { note: 'context' }
        : { goal: { statistic: 'p99' as const, op: '<=' as const, value: goalMs } }),
    },
  ];
}

// Times of one fault taken inside the processes that act, never by the harness: the Nova simulator's
// own record of when each call arrived and was answered, the inspector's receive time and decision
// (HostHealth timeline), the consumer's receive times. All epoch milliseconds on the same machine.
import type { SimCall, NovaSim } from '../../tools/nova-sim/index.js';
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
  const servers = nova.state.serversOnHost(host).map((s) => s.id);
  if (service === undefined) return undefined;
  const calls = nova.novaCalls().filter((c) => c.status >= 200 && c.status < 300);
  const forceDown = calls.filter(
    (c) =>
      c.method === 'PUT' &&
      (c.path.endsWith(`/os-services/${service.uuid}`) || c.path.endsWith('/os-services/force-down')),
  );
  const resets = calls.filter(
    (c) => c.method === 'POST' && c.path.endsWith('/action') && servers.some((id) => c.path.includes(id)),
  );
  const resetServers = new Set(resets.map((c) => c.path));
  if (forceDown.length === 0 || resetServers.size < servers.length) return undefined;
  const writes = [...forceDown, ...resets];
  return {
    firstWriteAt: Math.min(...writes.map((c) => c.startedAtMs)),
    forcedDownAt: Math.min(...forceDown.map(answeredAt)),
    lastResetAt: Math.max(...resets.map(answeredAt)),
    resets: resetServers.size,
  };
}

/** p50 and p99 of one measured span, the p99 held to `goalMs` when there is one (else context). */
export function spanFigures(name: string, samples: readonly number[], goalMs?: number): Figure[] {
  const round = (v: number) => Math.round(v * 10) / 10;
  const p50 = summary(samples, 'p50');
  const tail = summary(samples, 'p99');
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

// Storm guard: when more hosts would be Down than protection.maxUnhealthy allows, the likelier cause is
// the network or the monitors, not that many hosts died at once; fencing them all would take down a
// healthy cloud. So the engine then acts on none of the newly qualifying hosts and says so.

export type MaxUnhealthy = { kind: 'count'; value: number } | { kind: 'percent'; value: number };

/** An integer >= 0 or a string "N%" with N an integer 0..100; otherwise the reason it is not. */
export function parseMaxUnhealthy(value: number | string): MaxUnhealthy | string {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 0
      ? { kind: 'count', value }
      : 'must be an integer >= 0 or a percentage such as "20%"';
  }
  const match = /^(\d{1,3})%$/.exec(value);
  const percent = match ? Number(match[1]) : NaN;
  if (!(percent >= 0 && percent <= 100)) return 'must be an integer >= 0 or a percentage "0%".."100%"';
  return { kind: 'percent', value: percent };
}

/** How many hosts may be unhealthy (have an open fault) at once. A percentage rounds up, as Kubernetes
 * rounds maxUnavailable: 20% of 3 hosts allows one, so a small cloud still fences a single dead host. */
export function unhealthyLimit(maxUnhealthy: number | string, monitoredHosts: number): number {
  const parsed = parseMaxUnhealthy(maxUnhealthy);
  if (typeof parsed === 'string') throw new Error(`protection.maxUnhealthy: ${parsed}`);
  return parsed.kind === 'count' ? parsed.value : Math.ceil((parsed.value * monitoredHosts) / 100);
}

export interface StormVerdict {
  /** Hosts to declare Down now. */
  act: string[];
  /** Hosts that qualify but are held back by the guard. */
  held: string[];
}

/**
 * All or nothing: if the hosts already unhealthy plus every new candidate exceed the limit, none of the
 * candidates is acted on (picking "the first N" would be arbitrary, and in a storm the evidence for each
 * is equally doubtful).
 */
export function guardStorm(unhealthy: number, candidates: readonly string[], limit: number): StormVerdict {
  if (candidates.length === 0) return { act: [], held: [] };
  return unhealthy + candidates.length > limit
    ? { act: [], held: [...candidates] }
    : { act: [...candidates], held: [] };
}

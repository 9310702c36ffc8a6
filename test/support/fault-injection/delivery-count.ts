// Counts what a consumer received about one host's servers: how many servers were notified, how many
// were lost, and how many arrivals repeated one already received. A repeat is harmless only when it carries
// the same id as the first (the consumer drops it); a repeat under another id is a second alarm.
import type { ArrivalRecord } from '../../../src/consumer/recorder.js';

export interface DeliveryCount {
  expected: number;
  notified: number;
  lost: number;
  /** Arrivals beyond the first for a server. */
  duplicates: number;
  /** Of those, the ones whose id differs from the first arrival's (or that have none). */
  duplicatesWithOtherId: number;
}

export function countDeliveries(
  arrivals: readonly ArrivalRecord[],
  host: string,
  servers: readonly string[],
  type = 'aodh.alarm',
): DeliveryCount {
  const firstId = new Map<string, string | undefined>();
  let duplicates = 0;
  let duplicatesWithOtherId = 0;
  const expected = new Set(servers);
  for (const a of arrivals) {
    if (a.host !== host || a.type !== type || a.server === undefined || !expected.has(a.server)) continue;
    if (!firstId.has(a.server)) {
      firstId.set(a.server, a.id);
      continue;
    }
    duplicates++;
    if (a.id === undefined || a.id !== firstId.get(a.server)) duplicatesWithOtherId++;
  }
  return {
    expected: expected.size,
    notified: firstId.size,
    lost: expected.size - firstId.size,
    duplicates,
    duplicatesWithOtherId,
  };
}

export function addCounts(a: DeliveryCount, b: DeliveryCount): DeliveryCount {
  return {
    expected: a.expected + b.expected,
    notified: a.notified + b.notified,
    lost: a.lost + b.lost,
    duplicates: a.duplicates + b.duplicates,
    duplicatesWithOtherId: a.duplicatesWithOtherId + b.duplicatesWithOtherId,
  };
}

export const noDeliveries: DeliveryCount = {
  expected: 0,
  notified: 0,
  lost: 0,
  duplicates: 0,
  duplicatesWithOtherId: 0,
};

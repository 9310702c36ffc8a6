// How remediation's notification list is stored in HostHealth status: `webhooks`, bounded and with the
// undelivered entries first (what a restarted operator needs to resume), and `notificationSummary`,
// the counts per consumer and in all. `kubectl describe` sorts status fields by name, so the summary
// shows among the state and timeline and the long list comes last. Remediation itself keeps calling
// the list `notifications`; the names change only here, at the API boundary.
import type { NotificationStatus, NotificationSummary } from '../api/types.js';
import { maxListedNotifications } from '../api/schema/hosthealth.js';

type Json = Record<string, unknown>;

function settlement(entry: NotificationStatus): 'delivered' | 'abandoned' | 'pending' {
  if (entry.delivered) return 'delivered';
  return entry.abandoned === true ? 'abandoned' : 'pending';
}

/** Pending first (a restarted operator sends them), then given up, then delivered. */
const listOrder = { pending: 0, abandoned: 1, delivered: 2 } as const;

export function summarizeNotifications(
  entries: readonly NotificationStatus[],
  listed: number,
): NotificationSummary {
  const consumers = new Map<string, NotificationSummary['consumers'][number]>();
  const total = { delivered: 0, pending: 0, abandoned: 0 };
  for (const entry of entries) {
    const kind = settlement(entry);
    total[kind]++;
    let counts = consumers.get(entry.consumer);
    if (counts === undefined) {
      counts = { consumer: entry.consumer, delivered: 0, pending: 0, abandoned: 0 };
      consumers.set(entry.consumer, counts);
    }
    counts[kind]++;
  }
  return {
    total: entries.length,
    ...total,
    listed,
    consumers: [...consumers.values()].sort((a, b) => a.consumer.localeCompare(b.consumer)).slice(0, 32),
  };
}

/** The stored form of a status patch: `notifications` becomes `webhooks` and `notificationSummary`. */
export function toStoredStatus(patch: Json, limit = maxListedNotifications): Json {
  const entries = patch.notifications as NotificationStatus[] | undefined;
  if (entries === undefined) return patch;
  const { notifications: _list, ...rest } = patch;
  const listed = [...entries]
    .map((entry, at) => ({ entry, at }))
    .sort((a, b) => listOrder[settlement(a.entry)] - listOrder[settlement(b.entry)] || a.at - b.at)
    .slice(0, limit)
    .map(({ entry }) => entry);
  return { ...rest, webhooks: listed, notificationSummary: summarizeNotifications(entries, listed.length) };
}

/** The status as remediation reads it: `webhooks` (or the list of an older operator) as `notifications`. */
export function fromStoredStatus<T extends Json>(status: T | undefined): T | undefined {
  if (status === undefined) return undefined;
  const { webhooks, notificationSummary: _summary, ...rest } = status as Json;
  const list = webhooks ?? (Array.isArray(rest.notifications) ? rest.notifications : undefined);
  delete rest.notifications;
  return (list !== undefined ? { ...rest, notifications: list } : rest) as T;
}

// Validation of a POST/PUT /events body (docs/wire-formats.md) into HostEvent values. Errors are values,
// never throws: the HTTP layer turns { ok: false } into a 400 (or 413) whose message names the field.
//
// Unknown types: a type outside the `compute.host.` family is refused (most likely a typo or a client
// that is not a Doctor monitor). An unknown `compute.host.*` type is accepted, left out of the result and
// reported in `warnings`: a newer monitor must not get a whole batch refused, including a real
// compute.host.down, by an older inspector during a rolling upgrade, and Doctor's own inspector likewise
// ignores the types it does not act on.
import { hostEventTypes, type HostEvent, type HostEventDetails, type PeerVerdict } from '../api/events.js';
import { parseEventTime } from '../inspector/event-time.js';

/** Events per request; beyond it the request is refused whole (413), never partly applied. */
export const defaultMaxEvents = 10_000;
const maxNameLength = 253; // a DNS name, the longest Kubernetes node name
const maxIdLength = 256;
const maxTextLength = 1024;
const maxPeers = 10_000;

export type ParseEventsResult =
  { ok: true; events: HostEvent[]; warnings: string[] } | { ok: false; status: 400 | 413; error: string };

export interface ParseEventsOptions {
  maxEvents?: number;
  /** The inspector's clock, to refuse event times too far ahead of it (both or neither). */
  now?: number;
  maxFutureSkewMs?: number;
}

const knownTypes: ReadonlySet<string> = new Set(hostEventTypes);
const directionOf: Record<string, 'down' | 'up' | undefined> = {
  'compute.host.down': 'down',
  'compute.host.up': 'up',
  'compute.host.nic.down': 'down',
  'compute.host.nic.up': 'up',
};
const peerStatuses: ReadonlySet<string> = new Set(['up', 'down', 'unknown']);

/** The body text as received; a parse failure is a value like every other error. */
export function parseEventsJson(text: string, options: ParseEventsOptions = {}): ParseEventsResult {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return invalid(`body: not valid JSON (${(error as Error).message})`);
  }
  return parseEvents(body, options);
}

/** Accepts a list of events, `{"event": {...}}` or `{"events": [...]}`. */
export function parseEvents(body: unknown, options: ParseEventsOptions = {}): ParseEventsResult {
  const maxEvents = options.maxEvents ?? defaultMaxEvents;
  let items: unknown[];
  let pathOf: (index: number) => string;
  if (Array.isArray(body)) {
    items = body;
    pathOf = (index) => `events[${index}]`;
  } else if (isObject(body) && 'events' in body && 'event' in body) {
    return invalid('body: has both "event" and "events"; send one of them');
  } else if (isObject(body) && 'events' in body) {
    if (!Array.isArray(body.events)) return invalid('events: must be a list of events');
    items = body.events;
    pathOf = (index) => `events[${index}]`;
  } else if (isObject(body) && 'event' in body) {
    items = [body.event];
    pathOf = () => 'event';
  } else {
    return invalid('body: must be a JSON list of events, {"event": {...}} or {"events": [...]}');
  }
  if (items.length > maxEvents) {
    return {
      ok: false,
      status: 413,
      error: `events: ${items.length} events in one request; at most ${maxEvents} are accepted`,
    };
  }
  const events: HostEvent[] = [];
  const warnings: string[] = [];
  for (const [index, item] of items.entries()) {
    const path = pathOf(index);
    const result = parseEvent(item, path, options);
    if (typeof result === 'string') return invalid(result);
    if (knownTypes.has(result.type)) events.push(result);
    else warnings.push(`${path}.type: "${result.type}" is not understood by this inspector; event ignored`);
  }
  return { ok: true, events, warnings };
}

/** One event, or the error message naming the bad field. */
function parseEvent(item: unknown, path: string, options: ParseEventsOptions): HostEvent | string {
  if (!isObject(item)) return `${path}: must be an object with id, time, type and details`;
  const id = requireName(item.id, `${path}.id`, maxIdLength);
  if (typeof id !== 'object') return id;
  const time = typeof item.time === 'string' ? parseEventTime(item.time) : undefined;
  if (time === undefined) {
    return (
      `${path}.time: must be an ISO-8601 date and time up to year 9999 such as ` +
      '"2017-05-08T13:50:39.710436" (no zone means UTC)'
    );
  }
  const { now, maxFutureSkewMs } = options;
  if (now !== undefined && maxFutureSkewMs !== undefined && time - now > maxFutureSkewMs) {
    // A clock far ahead would make its reports outrank every later real one (latest time wins).
    return (
      `${path}.time: "${truncate(String(item.time))}" is ${Math.round((time - now) / 1000)} s ahead of the ` +
      `inspector's clock; at most ${Math.round(maxFutureSkewMs / 1000)} s is accepted (check the clock)`
    );
  }
  const type = item.type;
  if (typeof type !== 'string' || type === '') return `${path}.type: must be a non-empty string`;
  if (!knownTypes.has(type) && !/^compute\.host\.[a-z0-9_.-]+$/.test(type)) {
    return `${path}.type: "${truncate(type)}" is not a known event type (${hostEventTypes.join(', ')})`;
  }
  const details = parseDetails(item.details, `${path}.details`, type);
  if (typeof details === 'string') return details;
  return { id: id.value, time: item.time as string, type, details };
}

function parseDetails(value: unknown, path: string, type: string): HostEventDetails | string {
  if (!isObject(value)) return `${path}: must be an object`;
  const hostname = requireName(value.hostname, `${path}.hostname`, maxNameLength);
  if (typeof hostname !== 'object') return hostname;
  const monitor = requireName(value.monitor, `${path}.monitor`, maxNameLength);
  if (typeof monitor !== 'object') return monitor;
  if (typeof value.status !== 'string' || value.status.length > maxTextLength) {
    return `${path}.status: must be a string`;
  }
  const status = value.status.toLowerCase();
  const direction = directionOf[type];
  if (direction !== undefined && status !== direction) {
    return `${path}.status: must be "${direction}" for ${type}, got "${truncate(value.status)}"`;
  }
  const eventId = value.monitor_event_id;
  const monitorEventId =
    typeof eventId === 'string' && eventId.length <= maxIdLength
      ? eventId
      : typeof eventId === 'number' && Number.isInteger(eventId)
        ? String(eventId)
        : undefined;
  if (monitorEventId === undefined) return `${path}.monitor_event_id: must be a string`;

  const details: HostEventDetails = {
    ...value,
    hostname: hostname.value,
    status,
    monitor: monitor.value,
    monitor_event_id: monitorEventId,
  };
  for (const key of ['observer', 'address', 'interface'] as const) {
    if (value[key] === undefined || value[key] === null) {
      delete details[key];
      continue;
    }
    const text = requireName(value[key], `${path}.${key}`, maxNameLength);
    if (typeof text !== 'object') return text;
    details[key] = text.value;
  }
  if (type.startsWith('compute.host.nic.') && details.interface === undefined) {
    return `${path}.interface: must be a non-empty string for ${type}`;
  }
  if (value.rtt_ms === undefined || value.rtt_ms === null) {
    delete details.rtt_ms;
  } else if (typeof value.rtt_ms !== 'number' || !Number.isFinite(value.rtt_ms) || value.rtt_ms < 0) {
    return `${path}.rtt_ms: must be a number of milliseconds >= 0`;
  }
  if (value.peers === undefined || value.peers === null) {
    delete details.peers;
  } else {
    const peers = parsePeers(value.peers, `${path}.peers`);
    if (typeof peers === 'string') return peers;
    details.peers = peers;
  }
  return details;
}

function parsePeers(value: unknown, path: string): PeerVerdict[] | string {
  if (!Array.isArray(value)) return `${path}: must be a list of {hostname, status}`;
  if (value.length > maxPeers) return `${path}: at most ${maxPeers} peers are accepted`;
  const peers: PeerVerdict[] = [];
  for (const [index, peer] of value.entries()) {
    const at = `${path}[${index}]`;
    if (!isObject(peer)) return `${at}: must be an object with hostname and status`;
    const hostname = requireName(peer.hostname, `${at}.hostname`, maxNameLength);
    if (typeof hostname !== 'object') return hostname;
    if (typeof peer.status !== 'string' || !peerStatuses.has(peer.status)) {
      return `${at}.status: must be "up", "down" or "unknown"`;
    }
    peers.push({ hostname: hostname.value, status: peer.status as PeerVerdict['status'] });
  }
  return peers;
}

/** A non-empty string of bounded length, boxed so the caller can tell it from an error message. */
function requireName(value: unknown, path: string, maxLength: number): { value: string } | string {
  if (typeof value !== 'string' || value.trim() === '') return `${path}: must be a non-empty string`;
  if (value.length > maxLength) return `${path}: must be at most ${maxLength} characters`;
  return { value };
}

function invalid(error: string): ParseEventsResult {
  return { ok: false, status: 400, error };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function truncate(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}

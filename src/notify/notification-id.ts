// Stable ids. A notification's id is derived from what it is about — the fault, the consumer, the server
// and whether the host went down or came back — so a retry, or an operator restarted half-way through,
// sends the very same id and the consumer can drop the duplicate. Name-based UUIDs (RFC 4122 version 5).
import { createHash } from 'node:crypto';

// Fixed namespace of doctor-operator notification ids (random, generated once).
const namespace = Buffer.from('3f1c7f0e9a2d4b6c8e5f1a2b3c4d5e6f', 'hex');

export function uuidV5(name: string, ns: Buffer = namespace): string {
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export type NotificationKind = 'host.down' | 'host.up';

export interface NotificationKey {
  kind: NotificationKind;
  /** The fault (HostHealth fault record id) this notification belongs to. */
  faultId: string;
  /** The notify target's name in the FaultPolicy. */
  consumer: string;
  host: string;
  /** The server, or undefined for a host-level notification. */
  serverId?: string;
}

export function notificationId(key: NotificationKey): string {
  // JSON keeps the parts unambiguous whatever characters they contain.
  return uuidV5(
    JSON.stringify(['notification', key.kind, key.faultId, key.consumer, key.host, key.serverId ?? '']),
  );
}

/** Alarm ids remembered: a fault's notifications need one per server, and a host's servers fail again. */
export const maxRememberedAlarmIds = 10_000;
const alarmIds = new Map<string, string>();

/** An Aodh alarm is a lasting object: one per consumer and server, the same across faults. */
export function alarmId(consumer: string, subject: string): string {
  const name = JSON.stringify(['alarm', consumer, subject]);
  let id = alarmIds.get(name);
  if (id === undefined) {
    id = uuidV5(name);
    // Bounded: when full, start over rather than grow with every server ever seen.
    if (alarmIds.size >= maxRememberedAlarmIds) alarmIds.clear();
    alarmIds.set(name, id);
  }
  return id;
}

/** How many alarm ids are remembered now (for tests). */
export function rememberedAlarmIds(): number {
  return alarmIds.size;
}

// The notifications of one fault, as status entries plus the exact bodies to send. Ids are stable
// (src/notify/notification-id.ts), so an entry read back from status is recognised by recomputing its id.
import type { NotifyTarget } from '../api/types.js';
import {
  notificationId,
  type NotificationKind,
  type PreparedNotification,
  prepareHostNotification,
  prepareServerNotification,
} from '../notify/index.js';
import type { NotificationEntry } from './status.js';
import { targetWantsProject } from './targets.js';

export interface FaultFacts {
  faultId: string;
  /** The Nova host name: what the notifications call the host. */
  host: string;
  /** Detection time (down) or recovery time (up). */
  time: string;
  reason?: string;
}

export interface ServerFacts {
  id: string;
  projectId: string;
  /** The server's state to report (Aodh trait "state", CloudEvents data.server.state). */
  state: string;
}

export interface OutgoingNotification {
  entry: NotificationEntry;
  prepared: PreparedNotification;
  target: NotifyTarget;
}

function newEntry(
  consumer: string,
  id: string,
  kind: NotificationKind,
  server?: { id: string; projectId: string },
): NotificationEntry {
  return {
    consumer,
    id,
    kind,
    ...(server !== undefined ? { server: server.id, project: server.projectId } : {}),
    delivered: false,
    attempts: 0,
  };
}

/** One notification per target that wants this server's project (Aodh and CloudEvents alike). */
export function serverNotifications(
  kind: NotificationKind,
  fault: FaultFacts,
  server: ServerFacts,
  targets: readonly NotifyTarget[],
): OutgoingNotification[] {
  return targets
    .filter((target) => targetWantsProject(target, server.projectId))
    .map((target) => {
      const prepared = prepareServerNotification(target.format, {
        kind,
        faultId: fault.faultId,
        consumer: target.name,
        host: fault.host,
        server: { id: server.id, projectId: server.projectId, state: server.state },
        time: fault.time,
        ...(fault.reason !== undefined && fault.reason !== '' ? { reason: fault.reason } : {}),
      });
      return { entry: newEntry(target.name, prepared.id, kind, server), prepared, target };
    });
}

/** One CloudEvent about the whole host (with the servers the target may see). */
export function hostNotification(
  kind: NotificationKind,
  fault: FaultFacts,
  target: NotifyTarget,
  servers: readonly { id: string; projectId: string }[],
): OutgoingNotification {
  const prepared = prepareHostNotification({
    kind,
    faultId: fault.faultId,
    consumer: target.name,
    host: fault.host,
    time: fault.time,
    ...(fault.reason !== undefined && fault.reason !== '' ? { reason: fault.reason } : {}),
    servers: servers
      .filter((s) => targetWantsProject(target, s.projectId))
      .map((s) => ({ id: s.id, projectId: s.projectId })),
  });
  return { entry: newEntry(target.name, prepared.id, kind), prepared, target };
}

/** Whether a status entry is one of this fault's notifications (its id recomputes to the same value). */
export function belongsToFault(entry: NotificationEntry, faultId: string, host: string): boolean {
  if (entry.kind !== 'host.down' && entry.kind !== 'host.up') return false;
  return (
    notificationId({
      kind: entry.kind,
      faultId,
      consumer: entry.consumer,
      host,
      ...(entry.server !== undefined ? { serverId: entry.server } : {}),
    }) === entry.id
  );
}

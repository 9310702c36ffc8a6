// CloudEvents 1.0 in structured JSON mode, the alternative notification format: per server
// (io.doctor.server.error, io.doctor.server.host.up) or per host (io.doctor.host.down, io.doctor.host.up).
import type { ServerNotificationInput } from './aodh.js';
import { notificationId, type NotificationKind } from './notification-id.js';

export interface CloudEvent<T> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: T;
}

export const cloudEventTypes = {
  serverError: 'io.doctor.server.error',
  serverHostUp: 'io.doctor.server.host.up',
  hostDown: 'io.doctor.host.down',
  hostUp: 'io.doctor.host.up',
} as const;

/** Default `source`: the producer, as a URI reference. */
export const defaultSource = '/doctor-operator';

function rfc3339(time: Date | string): string {
  const date = typeof time === 'string' ? new Date(time) : time;
  if (Number.isNaN(date.getTime())) throw new RangeError(`time is not a valid date: ${String(time)}`);
  return date.toISOString();
}

export interface ServerEventData {
  host: string;
  hostState: 'down' | 'up';
  faultId: string;
  server: { id: string; projectId: string; state: string };
  reason?: string;
}

export function buildServerCloudEvent(
  input: ServerNotificationInput,
  source: string = defaultSource,
): CloudEvent<ServerEventData> {
  const down = input.kind === 'host.down';
  return envelope(input, source, {
    type: down ? cloudEventTypes.serverError : cloudEventTypes.serverHostUp,
    subject: input.server.id,
    serverId: input.server.id,
    data: {
      host: input.host,
      hostState: down ? 'down' : 'up',
      faultId: input.faultId,
      server: {
        id: input.server.id,
        projectId: input.server.projectId,
        state: input.server.state ?? 'error',
      },
      ...(input.reason !== undefined ? { reason: input.reason } : {}),
    },
  });
}

export interface HostNotificationInput {
  kind: NotificationKind;
  faultId: string;
  consumer: string;
  host: string;
  time: Date | string;
  reason?: string;
  /** Servers affected on the host (those the consumer may see). */
  servers?: { id: string; projectId: string }[];
}

export interface HostEventData {
  host: string;
  hostState: 'down' | 'up';
  faultId: string;
  reason?: string;
  servers?: { id: string; projectId: string }[];
}

export function buildHostCloudEvent(
  input: HostNotificationInput,
  source: string = defaultSource,
): CloudEvent<HostEventData> {
  const down = input.kind === 'host.down';
  return envelope(input, source, {
    type: down ? cloudEventTypes.hostDown : cloudEventTypes.hostUp,
    subject: input.host,
    data: {
      host: input.host,
      hostState: down ? 'down' : 'up',
      faultId: input.faultId,
      ...(input.reason !== undefined ? { reason: input.reason } : {}),
      ...(input.servers !== undefined ? { servers: input.servers } : {}),
    },
  });
}

/** The attributes every event shares; the id is stable per notification (kind, fault, consumer, host, server). */
function envelope<T>(
  input: { kind: NotificationKind; faultId: string; consumer: string; host: string; time: Date | string },
  source: string,
  event: { type: string; subject: string; serverId?: string; data: T },
): CloudEvent<T> {
  const { kind, faultId, consumer, host } = input;
  const serverId = event.serverId;
  return {
    specversion: '1.0',
    id: notificationId({ kind, faultId, consumer, host, ...(serverId !== undefined ? { serverId } : {}) }),
    source,
    type: event.type,
    subject: event.subject,
    time: rfc3339(input.time),
    datacontenttype: 'application/json',
    data: event.data,
  };
}

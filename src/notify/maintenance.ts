// Planned-maintenance notifications, in the two formats consumers already parse: an Aodh event alarm
// (as OPNFV Doctor's maintenance test sends them: the payload in traits, with session_id, reply_url and
// the state PLANNED_MAINTENANCE / IN_MAINTENANCE / MAINTENANCE_COMPLETE) or a CloudEvent. Ids are stable
// per session, consumer and server, so a resumed workflow re-sends the very same notification.
import type { NotifyFormat } from '../api/types.js';
import { ceilometerTime } from './aodh.js';
import { defaultSource } from './cloudevents.js';
import { cloudEventsContentType, jsonContentType } from './headers.js';
import type { PreparedNotification } from './notification.js';
import { alarmId, uuidV5 } from './notification-id.js';

export type MaintenanceKind = 'maintenance.scheduled' | 'maintenance.host-empty' | 'maintenance.complete';

/** The Doctor / Fenix state names each kind carries. */
export const maintenanceStates: Record<MaintenanceKind, string> = {
  'maintenance.scheduled': 'PLANNED_MAINTENANCE',
  'maintenance.host-empty': 'IN_MAINTENANCE',
  'maintenance.complete': 'MAINTENANCE_COMPLETE',
};

export const maintenanceCloudEventTypes: Record<MaintenanceKind, string> = {
  'maintenance.scheduled': 'io.doctor.maintenance.scheduled',
  'maintenance.host-empty': 'io.doctor.maintenance.host.empty',
  'maintenance.complete': 'io.doctor.maintenance.complete',
};

/** What a consumer may answer per server (Fenix's instance actions). */
export const allowedInstanceActions = ['LIVE_MIGRATE', 'MIGRATE', 'OWN_ACTION'] as const;

export interface MaintenanceNotificationInput {
  kind: MaintenanceKind;
  sessionId: string;
  consumer: string;
  host: string;
  time: Date | string;
  reason?: string;
  /** maintenance.scheduled: the one server it is about. */
  server?: { id: string; projectId: string };
  /** maintenance.host-empty / complete: the servers of the session this consumer may see. */
  servers?: { id: string; projectId: string }[];
  /** maintenance.scheduled: where to PUT the answer, until when, and what is done without one. */
  replyUrl?: string;
  answerBy?: string;
  migration?: string;
}

export function maintenanceNotificationId(input: MaintenanceNotificationInput): string {
  return uuidV5(
    JSON.stringify([
      'maintenance',
      input.kind,
      input.sessionId,
      input.consumer,
      input.host,
      input.server?.id ?? '',
    ]),
  );
}

function text(input: MaintenanceNotificationInput): string {
  const why = input.reason !== undefined && input.reason !== '' ? ` (${input.reason})` : '';
  switch (input.kind) {
    case 'maintenance.scheduled':
      return `Compute host ${input.host} goes into planned maintenance${why}: instance ${input.server?.id ?? ''} will be moved (${input.migration ?? 'live'}) unless you answer NACK by ${input.answerBy ?? 'now'}`;
    case 'maintenance.host-empty':
      return `Compute host ${input.host} is empty and in maintenance${why}`;
    case 'maintenance.complete':
      return `Maintenance of compute host ${input.host} is complete${why}`;
  }
}

function traits(input: MaintenanceNotificationInput): [string, 1, string][] {
  const list: [string, 1, string][] = [
    ['state', 1, maintenanceStates[input.kind]],
    ['session_id', 1, input.sessionId],
    ['host', 1, input.host],
  ];
  if (input.server !== undefined) {
    list.push(['instance_ids', 1, input.server.id], ['project_id', 1, input.server.projectId]);
  } else if (input.servers !== undefined) {
    list.push(['instance_ids', 1, JSON.stringify(input.servers.map((s) => s.id))]);
  }
  if (input.replyUrl !== undefined) list.push(['reply_url', 1, input.replyUrl]);
  if (input.answerBy !== undefined) list.push(['actions_at', 1, input.answerBy]);
  if (input.kind === 'maintenance.scheduled') {
    list.push(['allowed_actions', 1, JSON.stringify(allowedInstanceActions)]);
  }
  if (input.reason !== undefined) list.push(['reason', 1, input.reason]);
  return list;
}

function aodhBody(input: MaintenanceNotificationInput, id: string): unknown {
  const subject = input.server?.id ?? input.host;
  return {
    alarm_name: `doctor-maintenance-${subject}`,
    alarm_id: alarmId(input.consumer, `maintenance:${subject}`),
    severity: 'moderate',
    previous: input.kind === 'maintenance.scheduled' ? 'ok' : 'alarm',
    current: input.kind === 'maintenance.complete' ? 'ok' : 'alarm',
    reason: text(input),
    reason_data: {
      type: 'event',
      event: {
        message_id: id,
        event_type: input.kind,
        generated: ceilometerTime(input.time),
        traits: traits(input),
        raw: {},
      },
    },
  };
}

function cloudEventBody(input: MaintenanceNotificationInput, id: string, source: string): unknown {
  const time = typeof input.time === 'string' ? new Date(input.time) : input.time;
  return {
    specversion: '1.0',
    id,
    source,
    type: maintenanceCloudEventTypes[input.kind],
    subject: input.server?.id ?? input.host,
    time: time.toISOString(),
    datacontenttype: 'application/json',
    data: {
      state: maintenanceStates[input.kind],
      sessionId: input.sessionId,
      host: input.host,
      ...(input.server !== undefined ? { server: input.server } : {}),
      ...(input.servers !== undefined ? { servers: input.servers } : {}),
      ...(input.replyUrl !== undefined ? { replyUrl: input.replyUrl } : {}),
      ...(input.answerBy !== undefined ? { answerBy: input.answerBy } : {}),
      ...(input.migration !== undefined ? { migration: input.migration } : {}),
      ...(input.kind === 'maintenance.scheduled' ? { allowedActions: [...allowedInstanceActions] } : {}),
      ...(input.reason !== undefined ? { reason: input.reason } : {}),
    },
  };
}

export function prepareMaintenanceNotification(
  format: NotifyFormat,
  input: MaintenanceNotificationInput,
  source: string = defaultSource,
): PreparedNotification {
  const id = maintenanceNotificationId(input);
  return format === 'aodh'
    ? { id, body: JSON.stringify(aodhBody(input, id)), contentType: jsonContentType }
    : { id, body: JSON.stringify(cloudEventBody(input, id, source)), contentType: cloudEventsContentType };
}

// The Aodh event-alarm webhook body that existing Doctor consumers parse (see docs/wire-formats.md): one
// alarm per affected server, its event shaped like Ceilometer's compute.instance.update with the
// state, instance_id, host and tenant_id traits. Trait type 1 is Ceilometer's "text".
import { alarmId, notificationId, type NotificationKind } from './notification-id.js';

export interface ServerRef {
  id: string;
  /** Nova project (tenant) that owns the server. */
  projectId: string;
  /** The server's Nova state to report; "error" unless the caller knows better. */
  state?: string;
}

export interface ServerNotificationInput {
  kind: NotificationKind;
  faultId: string;
  consumer: string;
  host: string;
  server: ServerRef;
  /** Detection time (down) or recovery time (up). */
  time: Date | string;
  /** Why, in a few words, e.g. the disabled reason or "quorum of 2 observers". */
  reason?: string;
  /** State before a down alarm: "ok" (default) or "insufficient data". */
  previous?: 'ok' | 'insufficient data';
}

export type AodhTrait = [name: string, type: 1, value: string];

export interface AodhAlarmNotification {
  alarm_name: string;
  alarm_id: string;
  severity: 'critical';
  previous: string;
  current: string;
  reason: string;
  reason_data: {
    type: 'event';
    event: {
      message_id: string;
      event_type: 'compute.instance.update';
      generated: string;
      traits: AodhTrait[];
      raw: Record<string, never>;
    };
  };
}

/** The last time string formatted: every notification of a fault carries the same one. */
let lastTime: { from: string; to: string } | undefined;

/** Ceilometer writes event times as naive UTC with microseconds: 2017-05-08T13:50:39.710436. */
export function ceilometerTime(time: Date | string): string {
  if (typeof time === 'string' && lastTime?.from === time) return lastTime.to;
  const date = typeof time === 'string' ? new Date(time) : time;
  if (Number.isNaN(date.getTime())) throw new RangeError(`time is not a valid date: ${String(time)}`);
  const formatted = date.toISOString().replace('Z', '000');
  if (typeof time === 'string') lastTime = { from: time, to: formatted };
  return formatted;
}

export function buildAodhAlarm(input: ServerNotificationInput): AodhAlarmNotification {
  const down = input.kind === 'host.down';
  const why = input.reason !== undefined && input.reason !== '' ? ` (${input.reason})` : '';
  return {
    alarm_name: `doctor-${input.server.id}`,
    alarm_id: alarmId(input.consumer, input.server.id),
    // The severity belongs to the alarm, not to the transition, so it is the same for down and up.
    severity: 'critical',
    previous: down ? (input.previous ?? 'ok') : 'alarm',
    current: down ? 'alarm' : 'ok',
    reason: down
      ? `Compute host ${input.host} is down${why}: instance ${input.server.id} was set to error`
      : `Compute host ${input.host} is up again${why}`,
    reason_data: {
      type: 'event',
      event: {
        message_id: notificationId({
          kind: input.kind,
          faultId: input.faultId,
          consumer: input.consumer,
          host: input.host,
          serverId: input.server.id,
        }),
        event_type: 'compute.instance.update',
        generated: ceilometerTime(input.time),
        traits: [
          ['state', 1, input.server.state ?? 'error'],
          ['instance_id', 1, input.server.id],
          ['host', 1, input.host],
          ['tenant_id', 1, input.server.projectId],
        ],
        raw: {},
      },
    },
  };
}

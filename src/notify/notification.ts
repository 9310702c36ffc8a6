// A notification ready to send: its stable id, the exact body bytes (what gets signed) and the media type.
import type { NotifyFormat } from '../api/types.js';
import { buildAodhAlarm, type ServerNotificationInput } from './aodh.js';
import {
  buildHostCloudEvent,
  buildServerCloudEvent,
  defaultSource,
  type HostNotificationInput,
} from './cloudevents.js';
import { cloudEventsContentType, jsonContentType } from './headers.js';

export interface PreparedNotification {
  id: string;
  body: string;
  contentType: string;
}

/** One notification about one server, in the consumer's format. */
export function prepareServerNotification(
  format: NotifyFormat,
  input: ServerNotificationInput,
  source: string = defaultSource,
): PreparedNotification {
  if (format === 'aodh') {
    const alarm = buildAodhAlarm(input);
    return {
      id: alarm.reason_data.event.message_id,
      body: JSON.stringify(alarm),
      contentType: jsonContentType,
    };
  }
  const event = buildServerCloudEvent(input, source);
  return { id: event.id, body: JSON.stringify(event), contentType: cloudEventsContentType };
}

/** One notification about a whole host. CloudEvents only: the Aodh format is one alarm per server. */
export function prepareHostNotification(
  input: HostNotificationInput,
  source: string = defaultSource,
): PreparedNotification {
  const event = buildHostCloudEvent(input, source);
  return { id: event.id, body: JSON.stringify(event), contentType: cloudEventsContentType };
}

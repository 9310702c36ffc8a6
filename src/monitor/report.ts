// Builds Doctor-format events (src/api/events.ts) from the core's report intents. Each event gets a
// fresh `id` and a `monitor_event_id` that is unique per monitor process and stays the same across
// retries, so the inspector can drop duplicates.
import type { HostEvent, HostEventDetails, PeerVerdict } from '../api/events.js';
import type { ReportIntent } from './monitor-core.js';
import { randomUuid } from './random-uuid.js';

export const monitorName = 'doctor-monitor';

/** Doctor's time format: ISO-8601 in UTC without a zone, microseconds ("2017-05-08T13:50:39.710436"). */
export function doctorTime(epochMs: number): string {
  const whole = Math.floor(epochMs);
  const micros = Math.min(999, Math.round((epochMs - whole) * 1000));
  const iso = new Date(whole).toISOString(); // 2017-05-08T13:50:39.710Z
  return `${iso.slice(0, 23)}${String(micros).padStart(3, '0')}`;
}

/** Outbox key: a newer report with the same key supersedes an undelivered older one. */
export function supersedeKey(event: HostEvent): string {
  const d = event.details;
  switch (event.type) {
    case 'compute.host.down':
    case 'compute.host.up':
      return `host:${d.hostname}`;
    case 'compute.host.nic.down':
    case 'compute.host.nic.up':
    case 'compute.host.nic.missing':
    case 'compute.host.nic.present':
      return `nic:${d.hostname}:${d.interface ?? ''}`;
    case 'compute.host.isolated':
    case 'compute.host.connected':
      return `isolation:${d.hostname}`;
    case 'compute.host.heartbeat':
      return `heartbeat:${d.hostname}`;
    default:
      return `${event.type}:${d.hostname}`;
  }
}

export class EventFactory {
  private counter = 0;
  private readonly incarnation: string;

  constructor(
    readonly observer: string,
    startedAt: number = Date.now(),
  ) {
    this.incarnation = Math.floor(startedAt).toString(36);
  }

  private nextMonitorEventId(): string {
    return `${this.observer}-${this.incarnation}-${++this.counter}`;
  }

  fromIntent(intent: ReportIntent): HostEvent {
    const details: HostEventDetails = {
      hostname: intent.hostname,
      status: intent.status,
      monitor: monitorName,
      monitor_event_id: this.nextMonitorEventId(),
      observer: this.observer,
    };
    if (intent.address !== undefined) details.address = intent.address;
    if (intent.rttMs !== undefined) details.rtt_ms = intent.rttMs;
    if (intent.interface !== undefined) details.interface = intent.interface;
    Object.assign(details, intent.extra);
    return { id: randomUuid(), time: doctorTime(intent.at), type: intent.type, details };
  }

  heartbeat(at: number, isolated: boolean, peers: PeerVerdict[]): HostEvent {
    return {
      id: randomUuid(),
      time: doctorTime(at),
      type: 'compute.host.heartbeat',
      details: {
        hostname: this.observer,
        status: isolated ? 'isolated' : 'up',
        monitor: monitorName,
        monitor_event_id: this.nextMonitorEventId(),
        observer: this.observer,
        peers,
      },
    };
  }
}

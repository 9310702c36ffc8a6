// Builders for inspector tests: events as our monitors send them, and engine configs.
import type { HostEvent, PeerVerdict } from '../../../src/api/events.js';
import type { EngineConfig } from '../../../src/inspector/config.js';
import type { Decision } from '../../../src/inspector/decisions.js';

export const t0 = Date.UTC(2024, 0, 1, 0, 0, 0);

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function make(
  type: string,
  hostname: string,
  reporter: string | undefined,
  time: number,
  extra = {},
): HostEvent {
  const observer = reporter === undefined ? {} : { observer: reporter };
  return {
    id: `${type}/${hostname}/${reporter ?? 'external'}/${time}`,
    time: iso(time),
    type,
    details: {
      hostname,
      status: type.endsWith('.down') ? 'down' : type.endsWith('.up') ? 'up' : 'ok',
      monitor: 'doctor-monitor',
      monitor_event_id: `${time}`,
      ...observer,
      ...extra,
    },
  };
}

export const down = (host: string, observer: string, time: number): HostEvent =>
  make('compute.host.down', host, observer, time);
export const up = (host: string, observer: string, time: number): HostEvent =>
  make('compute.host.up', host, observer, time);
export const isolated = (observer: string, time: number): HostEvent =>
  make('compute.host.isolated', observer, observer, time);
export const connected = (observer: string, time: number): HostEvent =>
  make('compute.host.connected', observer, observer, time);
export const nicDown = (
  host: string,
  nic: string,
  time: number,
  reporter: string | undefined = host,
): HostEvent => make('compute.host.nic.down', host, reporter, time, { interface: nic });
export const nicUp = (
  host: string,
  nic: string,
  time: number,
  reporter: string | undefined = host,
): HostEvent => make('compute.host.nic.up', host, reporter, time, { interface: nic });
export const heartbeat = (observer: string, peers: Record<string, PeerVerdict['status']>, time: number) =>
  make('compute.host.heartbeat', observer, observer, time, {
    peers: Object.entries(peers).map(([hostname, status]) => ({ hostname, status })),
  });

/** A Doctor-style report: no observer field, keyed by its monitor name. */
export function doctorDown(host: string, monitor: string, time: number): HostEvent {
  const event = make('compute.host.down', host, undefined, time);
  event.details.monitor = monitor;
  event.id = `${event.id}/${monitor}`;
  return event;
}

export function engineConfig(hosts: string[], overrides: Partial<EngineConfig> = {}): EngineConfig {
  return {
    detection: { quorum: 2, windowMilliseconds: 1000, healthySeconds: 30 },
    protection: { maxUnhealthy: '100%' },
    hosts: hosts.map((name) => ({ name, maintenance: false })),
    ...overrides,
  };
}

export function kinds(decisions: Decision[]): string[] {
  return decisions.map((decision) =>
    decision.kind === 'stateChanged'
      ? `${decision.host}:${decision.from}->${decision.to}`
      : 'host' in decision
        ? `${decision.kind}:${decision.host}`
        : decision.kind,
  );
}

export function only<K extends Decision['kind']>(
  decisions: Decision[],
  kind: K,
): Extract<Decision, { kind: K }>[] {
  return decisions.filter((decision): decision is Extract<Decision, { kind: K }> => decision.kind === kind);
}

// Wire format between monitors and the inspector (docs/wire-formats.md). Doctor-compatible: a JSON list
// of events posted to /events. Our monitors add observer, target, address and rtt to `details`.

export const hostEventTypes = [
  'compute.host.down',
  'compute.host.up',
  'compute.host.nic.down',
  'compute.host.nic.up',
  // An interface the policy names does not exist on the host (a configuration error, not a link down),
  // and that it exists again.
  'compute.host.nic.missing',
  'compute.host.nic.present',
  // A monitor that lost its own connectivity says so about itself instead of blaming its peers.
  'compute.host.isolated',
  'compute.host.connected',
  // Periodic liveness of an observer, so the inspector knows who is watching.
  'compute.host.heartbeat',
] as const;

export type HostEventType = (typeof hostEventTypes)[number];

export interface HostEventDetails {
  /** The host the event is about (the Nova host / node name). */
  hostname: string;
  /** "down" | "up" for host events; free text for others. */
  status: string;
  /** Name of the reporting monitor (Doctor: "sample" or similar). */
  monitor: string;
  /** The monitor's own id for this event, for de-duplication. */
  monitor_event_id: string;
  /** Node that observed the event (our monitors only). */
  observer?: string;
  /** Address that was probed (our monitors only). */
  address?: string;
  /** Round-trip time of the last reply in milliseconds, when there was one. */
  rtt_ms?: number;
  /** NIC name, for compute.host.nic.* events. */
  interface?: string;
  /** Heartbeats only: every host this observer watches and its current verdict. */
  peers?: PeerVerdict[];
  [extra: string]: unknown;
}

export interface PeerVerdict {
  hostname: string;
  status: 'up' | 'down' | 'unknown';
}

export interface HostEvent {
  id: string;
  /** ISO-8601 time of detection; Doctor sends it without a zone ("2017-05-08T13:50:39.710436"), read as UTC. */
  time: string;
  /** A HostEventType for our monitors; external monitors may send other compute.host.* types. */
  type: string;
  details: HostEventDetails;
}

// Monitor reports as our monitors send them (src/api/events.ts wire format), synthesized so a benchmark
// of 100 hosts needs no network namespaces: heartbeats with peer verdicts, and host-down transitions.
import { randomUUID } from 'node:crypto';
import type { HostEvent } from '../../src/api/events.js';
import { doctorTime, monitorName } from '../../src/monitor/report.js';

let counter = 0;

function event(type: string, hostname: string, observer: string, at: number, extra = {}): HostEvent {
  const id = randomUUID();
  return {
    id,
    time: doctorTime(at),
    type,
    details: {
      hostname,
      status: type === 'compute.host.down' ? 'down' : 'up',
      monitor: monitorName,
      monitor_event_id: `bench-${observer}-${++counter}`,
      observer,
      ...extra,
    },
  };
}

/** One heartbeat per observer: every host it watches is "up". */
export function heartbeats(
  observers: readonly string[],
  watched: (observer: string) => string[],
  at: number,
): HostEvent[] {
  return observers.map((observer) =>
    event('compute.host.heartbeat', observer, observer, at, {
      peers: watched(observer).map((hostname) => ({ hostname, status: 'up' })),
    }),
  );
}

/** compute.host.down from every listed observer of every failed host. */
export function hostDowns(reporters: ReadonlyMap<string, string[]>, at: number): HostEvent[] {
  const events: HostEvent[] = [];
  for (const [host, observers] of reporters) {
    for (const observer of observers) events.push(event('compute.host.down', host, observer, at));
  }
  return events;
}

/** POSTs one batch to the inspector's /events; throws unless it is accepted. */
export async function postEvents(url: string, events: HostEvent[]): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(events),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`POST ${url} of ${events.length} events: ${res.status} ${text}`);
}

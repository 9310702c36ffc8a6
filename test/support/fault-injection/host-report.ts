// A Doctor-style external monitor's report about one host, posted to the inspector's /events.
export type HostEventType = 'compute.host.down' | 'compute.host.up';

export function hostReportEvent(type: HostEventType, host: string, id: string): Record<string, unknown> {
  return {
    id,
    time: new Date().toISOString(),
    type,
    details: {
      hostname: host,
      status: type.endsWith('down') ? 'down' : 'up',
      monitor: 'sample',
      monitor_event_id: id,
    },
  };
}

export function hostReport(type: HostEventType, host: string, id: string): string {
  return JSON.stringify([hostReportEvent(type, host, id)]);
}

/** POSTs a JSON body; resolves with the status code, rejects when nothing answers within 10 s. */
export async function postJson(url: string, body: string): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  await res.arrayBuffer();
  return res.status;
}

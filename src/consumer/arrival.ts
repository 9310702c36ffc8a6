// What the sample consumer learns from one notification: its id (for de-duplication) and what it is
// about. Reads both formats the operator sends (Aodh alarm, CloudEvents) and tolerates anything else.
export interface ArrivalInfo {
  id?: string;
  format: 'aodh' | 'cloudevents' | 'unknown';
  /** CloudEvents type, or "aodh.<current>" (aodh.alarm, aodh.ok) for Aodh alarms. */
  type?: string;
  host?: string;
  server?: string;
  project?: string;
}

type Json = Record<string, unknown>;

function obj(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function fromTraits(traits: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(traits)) return out;
  for (const trait of traits as unknown[]) {
    if (Array.isArray(trait) && typeof trait[0] === 'string' && typeof trait[2] === 'string')
      out[trait[0]] = trait[2];
  }
  return out;
}

export function describeArrival(body: unknown, headerId: string | undefined): ArrivalInfo {
  const root = obj(body);
  const fromHeader = str(headerId);
  if (root !== undefined && root.specversion !== undefined) {
    const data = obj(root.data);
    const server = obj(data?.server);
    return {
      id: fromHeader ?? str(root.id),
      format: 'cloudevents',
      type: str(root.type),
      host: str(data?.host),
      server: str(server?.id),
      project: str(server?.projectId),
    };
  }
  const event = obj(obj(root?.reason_data)?.event);
  if (root !== undefined && event !== undefined) {
    const traits = fromTraits(event.traits);
    return {
      id: fromHeader ?? str(event.message_id),
      format: 'aodh',
      type: str(root.current) !== undefined ? `aodh.${String(root.current)}` : undefined,
      host: traits.host,
      server: traits.instance_id,
      project: traits.tenant_id,
    };
  }
  return { ...(fromHeader !== undefined ? { id: fromHeader } : {}), format: 'unknown' };
}

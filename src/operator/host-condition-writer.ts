// Adds HostHealth conditions to the status patches on their way to the API server. The inspector and
// remediation each write only their own fields, so neither can compute a condition alone: this layer
// keeps, per host, the fields the conditions depend on as the written patches left them (seeded from the
// informer cache) and adds `conditions` to a patch whenever they change. Patches for one host are
// written one at a time (CoalescingStatusWriter), so this view is never behind what was sent.
import type { Condition, HostHealth } from '../api/types.js';
import { composeMergePatches, type PatchStatus } from '../runtime/coalescing-status-writer.js';
import type { ReadCache } from '../runtime/read-cache.js';
import { hostConditions } from './host-conditions.js';

type Json = Record<string, unknown>;

interface Known {
  uid: string | undefined;
  inputs: Json;
  conditions: Condition[] | undefined;
}

function inputsOf(status: Json | undefined): Json {
  if (status === undefined) return {};
  const out: Json = {};
  for (const key of ['state', 'message', 'remediation'] as const)
    if (status[key] !== undefined) out[key] = status[key];
  const timeline = status.timeline as Json | null | undefined;
  if (timeline && timeline.faultId !== undefined) out.timeline = { faultId: timeline.faultId };
  return out;
}

export class HostConditionWriter {
  private readonly known = new Map<string, Known>();

  constructor(
    private readonly hostHealths: ReadCache<HostHealth>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** `patch` wrapped: each status patch carries the conditions when they change. */
  wrap(patch: PatchStatus): PatchStatus {
    return (name, status) => patch(name, this.withConditions(name, status));
  }

  /** Another replica may write now: start again from the cache when this one leads again. */
  reset(): void {
    this.known.clear();
  }

  withConditions(name: string, status: Json): Json {
    const cached = this.hostHealths.get(name);
    const uid = cached?.metadata.uid;
    let known = this.known.get(name);
    if (known === undefined || known.uid !== uid) {
      known = {
        uid,
        inputs: inputsOf(cached?.status as Json | undefined),
        conditions: cached?.status?.conditions,
      };
      this.known.set(name, known);
    }
    known.inputs = composeMergePatches(known.inputs, inputsOf(status));
    const base = (status.conditions as Condition[] | undefined) ?? known.conditions;
    const conditions = hostConditions(known.inputs, base, cached?.metadata.generation, this.now());
    const changed = JSON.stringify(conditions) !== JSON.stringify(known.conditions);
    known.conditions = conditions;
    return changed || status.conditions !== undefined ? { ...status, conditions } : status;
  }
}

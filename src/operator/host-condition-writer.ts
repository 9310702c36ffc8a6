// Adds HostHealth conditions to the status patches on their way to the API server. The inspector and
// remediation each write only their own fields, so neither can compute a condition alone: this layer
// keeps, per host, the fields the conditions depend on as the written patches left them (seeded from the
// informer cache) and adds `conditions` to a patch whenever they change. Patches for one host are
// written one at a time (CoalescingStatusWriter), so this view is never behind what was sent.
//
// The list is written whole (a merge patch replaces lists), so it has one writer: this one. Other parts
// (InterfacesPresent, ReadyForMaintenance) hand in only their own condition; it is merged by type into
// this list when queued, so a condition built from a cache older than the last write cannot erase another.
import type { Condition, HostHealth } from '../api/types.js';
import { composeMergePatches, type PatchStatus } from '../runtime/coalescing-status-writer.js';
import type { ReadCache } from '../runtime/read-cache.js';
import { setCondition } from './conditions.js';
import { hostConditions } from './host-conditions.js';

type Json = Record<string, unknown>;

interface Known {
  uid: string | undefined;
  inputs: Json;
  /** The list as it should be now. */
  conditions: Condition[] | undefined;
  /** The list last sent (or the cache showed); put back when that write fails, so the retry carries it. */
  sent: string;
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

function isConditionUpdate(value: unknown): value is Condition {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  return typeof c.type === 'string' && typeof c.status === 'string' && typeof c.reason === 'string';
}

export class HostConditionWriter {
  private readonly known = new Map<string, Known>();

  constructor(
    private readonly hostHealths: ReadCache<HostHealth>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** `patch` wrapped: each status patch carries the conditions when they differ from the last ones sent. */
  wrap(patch: PatchStatus): PatchStatus {
    return async (name, status) => {
      const before = this.knownFor(name).sent;
      const out = this.withConditions(name, status);
      try {
        await patch(name, out);
      } catch (err) {
        // Not accepted: the retry must carry the conditions again.
        const known = this.known.get(name);
        if (known !== undefined && out.conditions !== undefined) known.sent = before;
        throw err;
      }
    };
  }

  /**
   * For CoalescingStatusWriter's queue hook: a patch's `conditions` are the caller's own conditions
   * (type, status, reason, message, observedGeneration), merged by type into this host's list in call
   * order; the patch goes on without them and the next write carries the whole list.
   */
  takeOwnConditions(name: string, status: Json): Json {
    const own = status.conditions;
    if (!Array.isArray(own)) return status;
    const known = this.knownFor(name);
    for (const update of own.filter(isConditionUpdate))
      known.conditions = setCondition(
        known.conditions,
        { type: update.type, status: update.status, reason: update.reason, message: update.message ?? '' },
        update.observedGeneration,
        this.now(),
      );
    const rest = { ...status };
    delete rest.conditions;
    return rest;
  }

  /** Another replica may write now: start again from the cache when this one leads again. */
  reset(): void {
    this.known.clear();
  }

  withConditions(name: string, status: Json): Json {
    const known = this.knownFor(name);
    known.inputs = composeMergePatches(known.inputs, inputsOf(status));
    const generation = this.hostHealths.get(name)?.metadata.generation;
    known.conditions = hostConditions(known.inputs, known.conditions, generation, this.now());
    const rest = { ...status };
    delete rest.conditions;
    const text = JSON.stringify(known.conditions);
    if (text === known.sent) return rest;
    known.sent = text;
    return { ...rest, conditions: known.conditions };
  }

  private knownFor(name: string): Known {
    const cached = this.hostHealths.get(name);
    const uid = cached?.metadata.uid;
    let known = this.known.get(name);
    if (known === undefined || known.uid !== uid) {
      const conditions = cached?.status?.conditions;
      known = {
        uid,
        inputs: inputsOf(cached?.status as Json | undefined),
        conditions,
        sent: JSON.stringify(conditions) ?? '',
      };
      this.known.set(name, known);
    }
    return known;
  }
}

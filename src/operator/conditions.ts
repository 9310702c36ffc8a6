// Status conditions with Kubernetes semantics: lastTransitionTime changes only when the status does.
import type { Condition } from '../api/types.js';

export interface ConditionUpdate {
  type: string;
  status: Condition['status'];
  reason: string;
  message: string;
}

export function setCondition(
  existing: readonly Condition[] | undefined,
  update: ConditionUpdate,
  observedGeneration: number | undefined,
  now: Date = new Date(),
): Condition[] {
  const list = [...(existing ?? [])];
  const index = list.findIndex((c) => c.type === update.type);
  const previous = index >= 0 ? list[index] : undefined;
  const next: Condition = {
    ...update,
    lastTransitionTime:
      previous && previous.status === update.status
        ? previous.lastTransitionTime
        : now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
  };
  if (index >= 0) list[index] = next;
  else list.push(next);
  return list;
}

// HostHealth conditions, computed from the status fields they summarise so they always agree with them:
// Healthy (the state is Healthy) and Remediated (every host-down step of the current or last fault is
// finished). `kubectl wait --for=condition=Healthy hh/<node>` and kstatus-style tools read these.
import { ConditionReason, ConditionType } from '../api/conditions.js';
import type { Condition, HostState } from '../api/types.js';
import { setCondition, type ConditionUpdate } from './conditions.js';

/** The status fields the conditions are computed from (a merge of the patches written so far). */
export interface ConditionInputs {
  state?: HostState | null;
  message?: string | null;
  timeline?: { faultId?: string | null } | null;
  remediation?: Record<string, unknown> | null;
}

/** The host-down steps, in the order they are named in messages. */
const downSteps = ['forceDown', 'resetServers', 'taint', 'notify'] as const;

const healthByState: Record<HostState, { status: Condition['status']; reason: string }> = {
  Healthy: { status: 'True', reason: ConditionReason.HostHealthy },
  Suspect: { status: 'False', reason: ConditionReason.HostSuspect },
  Down: { status: 'False', reason: ConditionReason.HostDown },
  Recovering: { status: 'False', reason: ConditionReason.HostRecovering },
  Maintenance: { status: 'False', reason: ConditionReason.InMaintenance },
  Unknown: { status: 'Unknown', reason: ConditionReason.NoReports },
};

export function healthyCondition(status: ConditionInputs): ConditionUpdate {
  const state = status.state ?? 'Unknown';
  const health = healthByState[state];
  return {
    type: ConditionType.Healthy,
    ...health,
    message: status.message ?? (state === 'Unknown' ? 'no monitor has reported about this host yet' : state),
  };
}

function stepState(remediation: Record<string, unknown>, step: string): string | undefined {
  const record = remediation[step];
  if (record === null || typeof record !== 'object') return undefined;
  const state = (record as { state?: unknown }).state;
  return typeof state === 'string' ? state : undefined;
}

export function remediatedCondition(status: ConditionInputs): ConditionUpdate {
  const type = ConditionType.Remediated;
  const fault = status.timeline?.faultId ?? undefined;
  const remediation = status.remediation ?? {};
  const remediatedFault = typeof remediation.faultId === 'string' ? remediation.faultId : undefined;
  if (fault === undefined && remediatedFault === undefined)
    return {
      type,
      status: 'True',
      reason: ConditionReason.NoFault,
      message: 'no fault recorded for this host',
    };
  if (fault !== undefined && remediatedFault !== fault)
    return {
      type,
      status: 'False',
      reason: ConditionReason.RemediationPending,
      message: `fault ${fault} declared; its remediation has not started (is the policy paused?)`,
    };
  const states = downSteps.map((step) => [step, stepState(remediation, step)] as const);
  const failed = states.filter(([, state]) => state === 'Failed').map(([step]) => step);
  if (failed.length > 0)
    return {
      type,
      status: 'False',
      reason: ConditionReason.RemediationFailed,
      message: `fault ${remediatedFault}: ${failed.join(', ')} failed (see status.remediation)`,
    };
  const waiting = states.filter(([, state]) => state !== 'Done' && state !== 'Skipped').map(([step]) => step);
  if (waiting.length > 0)
    return {
      type,
      status: 'False',
      reason: ConditionReason.RemediationInProgress,
      message: `fault ${remediatedFault}: waiting for ${waiting.join(', ')}`,
    };
  return {
    type,
    status: 'True',
    reason: ConditionReason.RemediationComplete,
    message: `fault ${remediatedFault}: ${states.map(([step, state]) => `${step} ${state}`).join(', ')}`,
  };
}

/** The conditions list with Healthy and Remediated computed from `status`; other conditions kept. */
export function hostConditions(
  status: ConditionInputs,
  existing: readonly Condition[] | undefined,
  generation: number | undefined,
  now: Date = new Date(),
): Condition[] {
  const withHealthy = setCondition(existing, healthyCondition(status), generation, now);
  return setCondition(withHealthy, remediatedCondition(status), generation, now);
}

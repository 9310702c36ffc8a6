// Lets go of a host the operator stops watching (its HostHealth, Node or policy is deleted, or the node
// left the policy) while a fault's remediation is in place: nothing would ever undo it otherwise. The
// Nova service is un-forced only when the operator forced it and the policy allows un-forcing; the
// operator's own Node taint is always removed. Consumers are not told "up": the host did not recover.
import type { FaultPolicy } from '../api/types.js';
import type { Services } from './job-context.js';
import type { RemediationView, StepStatus } from './status.js';
import { hostDownTaintKey } from './taint.js';

export interface HostReleaseInput {
  policy: FaultPolicy;
  node: string;
  novaHost: string;
}

const tried = (step: StepStatus | undefined) =>
  step?.state === 'Done' ||
  ((step?.state === 'Running' || step?.state === 'Failed') && (step.attempts ?? 0) > 0);

/** The operator may have forced the service down (a try that failed may still have reached Nova). */
function forcedByUs(view: RemediationView | undefined): boolean {
  const r = view?.remediation;
  return tried(r?.forceDown) && r?.unforce?.state !== 'Done';
}

function taintedByUs(view: RemediationView | undefined): boolean {
  const r = view?.remediation;
  return tried(r?.taint) && r?.untaint?.state !== 'Done';
}

/** Whether letting go of this host has anything to undo (no Nova or Node call otherwise). */
export function needsRelease(view: RemediationView | undefined): boolean {
  return forcedByUs(view) || taintedByUs(view);
}

/** Undoes what is left of the remediation; throws (to be retried) when a call fails. Says what it did. */
export async function releaseHost(
  services: Services,
  input: HostReleaseInput,
  view: RemediationView | undefined,
): Promise<string> {
  const done: string[] = [];
  const nova = input.policy.spec.actions.nova;
  if (forcedByUs(view) && nova !== undefined) {
    if (nova.unforceOnRecovery) {
      const client = await services.nova.get(input.policy);
      const result = await client.unforceDown(input.novaHost);
      done.push(`nova-compute on ${input.novaHost} no longer forced down (${result.api} API)`);
    } else {
      done.push(
        `nova-compute on ${input.novaHost} left forced down (unforceOnRecovery is false): clear it by hand once the host is sound`,
      );
    }
  }
  const outcome = await services.tainter.removeTaint(input.node, hostDownTaintKey, 'NoSchedule');
  done.push(
    outcome === 'removed' ? `taint ${hostDownTaintKey} removed` : `no ${hostDownTaintKey} taint left`,
  );
  return done.join('; ');
}

// The FaultPolicy condition NovaReachable and the gauge doctor_nova_reachable, from the outcome of every
// warm-up and Nova call of the policy (src/remediation/nova-reachability.ts). A call's outcome costs a
// map lookup; the status is written only when the condition's status or reason changes.
import { Gauge, type Registry } from 'prom-client';
import { ConditionType } from '../api/conditions.js';
import type { FaultPolicyStatus } from '../api/types.js';
import type { Logger } from '../observability/logger.js';
import type { NovaReachability } from '../remediation/nova-reachability.js';
import { errorText } from '../util/error-text.js';
import { setCondition } from './conditions.js';

export interface NovaReachableDeps {
  /** Applies the condition under this writer's own field manager (see policy-status.ts). */
  updatePolicyStatus(name: string, update: (status: FaultPolicyStatus) => FaultPolicyStatus): Promise<void>;
  registry: Registry;
  log: Logger;
}

export class NovaReachableConditions {
  /** Per policy: the status and reason last written (or being written). */
  private readonly shown = new Map<string, string>();
  private readonly gauge: Gauge<'policy'>;

  constructor(private readonly deps: NovaReachableDeps) {
    this.gauge = new Gauge({
      name: 'doctor_nova_reachable',
      help: "1 when the policy's Nova (and Keystone) answered the last warm-up or call, 0 when it did not; leader only.",
      labelNames: ['policy'],
      registers: [deps.registry],
    });
  }

  observe(policy: string, outcome: NovaReachability): void {
    this.gauge.set({ policy }, outcome.reachable ? 1 : 0);
    const key = `${outcome.reachable}/${outcome.reason}`;
    if (this.shown.get(policy) === key) return;
    this.shown.set(policy, key);
    this.write(policy, (status) => ({
      ...status,
      conditions: setCondition(
        status.conditions,
        {
          type: ConditionType.NovaReachable,
          status: outcome.reachable ? 'True' : 'False',
          reason: outcome.reason,
          message: outcome.message,
        },
        undefined,
      ),
    }));
  }

  /** The policy does not use Nova (any more): no condition, no gauge. */
  notUsed(policy: string): void {
    this.gauge.remove({ policy });
    if (this.shown.get(policy) === '') return;
    this.shown.set(policy, '');
    this.write(policy, (status) => ({
      ...status,
      conditions: (status.conditions ?? []).filter((c) => c.type !== ConditionType.NovaReachable),
    }));
  }

  /** The policy is gone, or this replica stopped leading: the next observation writes again. */
  forget(policy?: string): void {
    if (policy === undefined) {
      this.shown.clear();
      this.gauge.reset();
      return;
    }
    this.shown.delete(policy);
    this.gauge.remove({ policy });
  }

  private write(policy: string, update: (status: FaultPolicyStatus) => FaultPolicyStatus): void {
    const key = this.shown.get(policy);
    this.deps.updatePolicyStatus(policy, update).catch((err: unknown) => {
      // Not shown after all: the next observation tries again.
      if (this.shown.get(policy) === key) this.shown.delete(policy);
      this.deps.log.warn('could not write the NovaReachable condition', { policy, error: errorText(err) });
    });
  }
}

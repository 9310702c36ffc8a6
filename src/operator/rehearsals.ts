// When the operator rehearses the fault path (fault-rehearsal.ts): when the process starts (a typical
// policy; every replica, so a standby takes over warm and the leader pays nothing for it at takeover),
// after the leader's Nova warm-up of a policy whose detection or actions are new to it, and to keep the
// code warm (V8 drops the bytecode of functions left unused for a while) at most once per half period.
// A change of hosts alone is not new: the code a fault runs is the same. One runs at a time.
import type { FaultPolicy } from '../api/types.js';
import type { Logger } from '../observability/logger.js';
import { errorText } from '../util/error-text.js';

/** Rehearses a fault under `policy`, or under a typical one when it is undefined. */
export type Rehearse = (policy?: FaultPolicy) => Promise<object>;

/** How often a rehearsal keeps the code warm: the leader's Nova refresh period. */
export const rehearsalPeriodMs = 30_000;

function settingsOf(policy: FaultPolicy): string {
  return JSON.stringify([policy.spec.detection, policy.spec.monitor.peers, policy.spec.actions]);
}

export class Rehearsals {
  private running = false;
  private lastAt = -Infinity;
  private logged = false;
  /** The policy rehearsed last (undefined: the typical one), which keepWarm() rehearses again. */
  private last: FaultPolicy | undefined;
  /** Per policy: the settings it was last rehearsed with; bounded by the policies (forget()). */
  private readonly rehearsed = new Map<string, string>();

  constructor(
    private readonly rehearse: Rehearse,
    private readonly log: Logger,
    private readonly periodMs = rehearsalPeriodMs,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The process starts. Resolves when the rehearsal is over; never rejects. */
  atStart(): Promise<void> {
    return this.run(undefined);
  }

  /** Every period: rehearses again unless a rehearsal ran within half of it. */
  keepWarm(): Promise<void> {
    if (this.now() - this.lastAt < this.periodMs / 2) return Promise.resolve();
    return this.run(this.last);
  }

  /** The leader's warm-up of `policy` finished: rehearsed at once when its settings are new. */
  afterWarmUp(policy: FaultPolicy): Promise<void> {
    if (this.rehearsed.get(policy.metadata.name) === settingsOf(policy)) return Promise.resolve();
    return this.run(policy);
  }

  forget(policyName: string): void {
    this.rehearsed.delete(policyName);
    if (this.last?.metadata.name === policyName) this.last = undefined;
  }

  private run(policy: FaultPolicy | undefined): Promise<void> {
    if (this.running) return Promise.resolve();
    this.running = true;
    this.lastAt = this.now();
    this.last = policy;
    const name = policy?.metadata.name;
    if (policy !== undefined && name !== undefined) this.rehearsed.set(name, settingsOf(policy));
    return this.rehearse(policy)
      .then(
        (outcome) => {
          // Said once at info; a rehearsal is not news after that.
          if (this.logged) this.log.debug('fault path rehearsed', { policy: name, ...outcome });
          else
            this.log.info('fault path rehearsed in memory (nothing written)', { policy: name, ...outcome });
          this.logged = true;
        },
        (err: unknown) => {
          this.log.warn('the rehearsal of the fault path failed', { policy: name, error: errorText(err) });
        },
      )
      .finally(() => {
        this.running = false;
      });
  }
}

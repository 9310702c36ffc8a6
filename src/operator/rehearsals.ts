// When the leader rehearses the fault path (fault-rehearsal.ts): once when it starts leading (a typical
// policy, before any warm-up), after a policy's Nova warm-up when the policy's detection or actions are
// new to it, and otherwise at most once per half warm-up period, so the code stays warm (V8 drops the
// bytecode of functions left unused for a while) without one rehearsal per policy per period. A change of
// hosts alone is not new: the code a fault runs is the same. One runs at a time.
import type { FaultPolicy } from '../api/types.js';
import type { Logger } from '../observability/logger.js';
import { errorText } from '../util/error-text.js';

/** Rehearses a fault under `policy`, or under a typical one when it is undefined. */
export type Rehearse = (policy?: FaultPolicy) => Promise<object>;

function settingsOf(policy: FaultPolicy): string {
  return JSON.stringify([policy.spec.detection, policy.spec.monitor.peers, policy.spec.actions]);
}

export class Rehearsals {
  private running = false;
  private lastAt = -Infinity;
  private logged = false;
  /** Per policy: the settings it was last rehearsed with; bounded by the policies (forget()). */
  private readonly rehearsed = new Map<string, string>();

  constructor(
    private readonly rehearse: Rehearse,
    private readonly log: Logger,
    private readonly periodMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** This replica starts leading. Resolves when the rehearsal is over; never rejects. */
  atStart(): Promise<void> {
    return this.run(undefined);
  }

  /** A warm-up of `policy` finished. Resolves when the rehearsal it started (if any) is over. */
  afterWarmUp(policy: FaultPolicy): Promise<void> {
    const name = policy.metadata.name;
    const settings = settingsOf(policy);
    if (this.rehearsed.get(name) === settings && this.now() - this.lastAt < this.periodMs / 2)
      return Promise.resolve();
    return this.run(policy);
  }

  forget(policyName: string): void {
    this.rehearsed.delete(policyName);
  }

  private run(policy: FaultPolicy | undefined): Promise<void> {
    if (this.running) return Promise.resolve();
    this.running = true;
    this.lastAt = this.now();
    const name = policy?.metadata.name;
    if (policy !== undefined && name !== undefined) this.rehearsed.set(name, settingsOf(policy));
    return this.rehearse(policy)
      .then(
        (outcome) => {
          // Said once per leadership at info; a rehearsal is not news after that.
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

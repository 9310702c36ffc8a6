// When the leader rehearses the fault path (fault-rehearsal.ts): after a policy's Nova warm-up, at once
// when the warm-up followed a change of the policy's settings or hosts, and at most once per half warm-up
// period when it was a periodic one, so the code stays warm (V8 drops the bytecode of functions left
// unused for a while) without one rehearsal per policy per period. One runs at a time.
import type { FaultPolicy } from '../api/types.js';
import type { Logger } from '../observability/logger.js';
import { errorText } from '../util/error-text.js';

export type Rehearse = (policy: FaultPolicy) => Promise<object>;

export class Rehearsals {
  private running = false;
  private lastAt = -Infinity;
  private logged = false;

  constructor(
    private readonly rehearse: Rehearse,
    private readonly log: Logger,
    private readonly periodMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A warm-up of `policy` finished; `periodic` when nothing about the policy changed. Resolves when the
   * rehearsal it started (if any) is over; never rejects. */
  afterWarmUp(policy: FaultPolicy, periodic: boolean): Promise<void> {
    const now = this.now();
    if (this.running || (periodic && now - this.lastAt < this.periodMs / 2)) return Promise.resolve();
    this.running = true;
    this.lastAt = now;
    const name = policy.metadata.name;
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

// Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: the leader renews the lease
// every retry period; the others take over once they have seen no renewal for a whole lease duration,
// measured on their own clock (so clock skew between replicas does not matter). A leader that cannot
// renew within the renew deadline steps down before anyone else may take over: every Lease call has a
// timeout, and a watchdog independent of those calls checks the deadline, so a black-holed connection
// cannot keep a leader acting past it.
import type * as k8s from '@kubernetes/client-node';
import type { Logger } from '../observability/logger.js';
import { describeApiError, isConflict, isNotFound, microTime } from './api-errors.js';

export interface LeaderElectionOptions {
  namespace: string;
  leaseName: string;
  identity: string;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
}

interface LeaseObject {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

const leaseGroup = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' };

export class LeaderElector {
  private leading = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private lastRenewed = 0;
  /** When the campaign loop last completed a round, on our clock: /healthz fails when it stops moving. */
  private lastRound = Date.now();
  private watchdog: NodeJS.Timeout | undefined;
  /** What we last saw of the lease and when, on our clock. */
  private observed: { holder: string; renewTime: string; at: number } | undefined;

  constructor(
    // Leases go through the generic object API: the typed one serializes times with milliseconds,
    // which the API server refuses for MicroTime fields.
    private readonly custom: k8s.CustomObjectsApi,
    private readonly options: LeaderElectionOptions,
    private readonly log: Logger,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  /** The campaign loop still runs rounds (each bounded by the call timeout): false means it is stuck. */
  get loopAlive(): boolean {
    if (this.stopped) return true;
    const { retryPeriodSeconds, leaseDurationSeconds } = this.options;
    return Date.now() - this.lastRound < (retryPeriodSeconds + 2 * leaseDurationSeconds) * 1000;
  }

  start(): void {
    this.stopped = false;
    this.lastRound = Date.now();
    const checkEveryMs = Math.max(50, Math.min(500, (this.options.retryPeriodSeconds * 1000) / 4));
    this.watchdog = setInterval(() => this.checkRenewDeadline(), checkEveryMs);
    this.watchdog.unref();
    void this.tick();
  }

  /** Steps down when the last renewal is older than the renew deadline, whatever the calls are doing. */
  private checkRenewDeadline(): void {
    if (!this.leading || Date.now() - this.lastRenewed <= this.options.renewDeadlineSeconds * 1000) return;
    this.log.error('could not renew the leader lease within the renew deadline; stepping down', {
      lastRenewedMsAgo: Date.now() - this.lastRenewed,
    });
    this.setLeading(false);
  }

  /** A Lease call that cannot outlive a retry period: a silent connection must not stall the loop. */
  private within<T>(call: Promise<T>, what: string): Promise<T> {
    const ms = this.callTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what} of the leader Lease took longer than ${ms} ms`)),
        ms,
      );
    });
    return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
  }

  private get callTimeoutMs(): number {
    return Math.max(500, this.options.retryPeriodSeconds * 1000);
  }

  /** Stops campaigning; a leader releases the lease so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.leading) {
      await this.release().catch((err: unknown) =>
        this.log.warn('could not release the leader lease', { error: describeApiError(err) }),
      );
      this.setLeading(false);
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const startedAt = Date.now();
    try {
      const acquired = await this.tryAcquireOrRenew();
      if (this.stopped) return;
      if (acquired) {
        // The renewal counts from when it was sent: the lease runs from the API server's write, which
        // came after that, so a leader never believes in more time than it has.
        this.lastRenewed = startedAt;
        this.setLeading(true);
      } else if (this.leading) {
        this.setLeading(false);
      }
    } catch (err) {
      this.log.warn('leader lease update failed', { error: describeApiError(err) });
      this.checkRenewDeadline();
    }
    this.lastRound = Date.now();
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.tick(), this.options.retryPeriodSeconds * 1000);
    }
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.log.info(leading ? 'became the leader' : 'stopped leading', {
      identity: this.options.identity,
      lease: `${this.options.namespace}/${this.options.leaseName}`,
    });
    if (leading) this.options.onStartedLeading();
    else this.options.onStoppedLeading();
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, leaseName: name, identity, leaseDurationSeconds } = this.options;
    const now = microTime();
    let lease: LeaseObject;
    try {
      lease = (await this.within(
        this.custom.getNamespacedCustomObject({ ...leaseGroup, namespace, name }),
        'reading',
      )) as LeaseObject;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const fresh: LeaseObject = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace },
        spec: {
          holderIdentity: identity,
          leaseDurationSeconds,
          acquireTime: now,
          renewTime: now,
          leaseTransitions: 0,
        },
      };
      try {
        await this.within(
          this.custom.createNamespacedCustomObject({ ...leaseGroup, namespace, body: fresh }),
          'creating',
        );
        return true;
      } catch (createErr) {
        if (isConflict(createErr)) return false; // another replica created it first
        throw createErr;
      }
    }

    const holder = lease.spec.holderIdentity ?? '';
    const renewTime = lease.spec.renewTime ?? '';
    if (!this.observed || this.observed.holder !== holder || this.observed.renewTime !== renewTime) {
      this.observed = { holder, renewTime, at: Date.now() };
    }
    const duration = (lease.spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
    const heldByOther = holder !== '' && holder !== identity;
    if (heldByOther && Date.now() < this.observed.at + duration) return false;

    const takingOver = holder !== identity;
    lease.spec = {
      ...lease.spec,
      holderIdentity: identity,
      leaseDurationSeconds,
      renewTime: now,
      acquireTime: takingOver ? now : lease.spec.acquireTime,
      leaseTransitions: (lease.spec.leaseTransitions ?? 0) + (takingOver && holder !== '' ? 1 : 0),
    };
    try {
      // resourceVersion in the body makes this a compare-and-swap: two replicas cannot both win.
      await this.within(
        this.custom.replaceNamespacedCustomObject({ ...leaseGroup, namespace, name, body: lease }),
        'renewing',
      );
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }

  private async release(): Promise<void> {
    const { namespace, leaseName: name, identity } = this.options;
    const lease = (await this.within(
      this.custom.getNamespacedCustomObject({ ...leaseGroup, namespace, name }),
      'reading',
    )) as LeaseObject;
    if (lease.spec.holderIdentity !== identity) return;
    lease.spec = { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime() };
    await this.within(
      this.custom.replaceNamespacedCustomObject({ ...leaseGroup, namespace, name, body: lease }),
      'releasing',
    );
  }
}

// Orders the work of faults that arrive together (a rack losing power): first every host's Nova
// force-down, then the server resets, and the Kubernetes writes (status, Events, taints) only once the
// Nova work and the first notification attempts are over. Without it the jobs of a burst start one per
// turn of the event loop behind each other's resets, so the last host was fenced only at the end, and
// the API server and etcd spent the shared CPU on status writes while resets were still to be sent.
// Every wait is bounded: a force-down that hangs holds the resets at most `fenceHoldMs`, and a Kubernetes
// write waits at most `kubeHoldMs` however busy Nova stays. Nothing ever waits for Kubernetes before Nova.

export interface BurstOrderOptions {
  /** Longest time an announced force-down holds back the resets (its own host's and the others'). */
  fenceHoldMs: number;
  /** Longest time a Kubernetes write waits for the Nova work in flight. */
  kubeHoldMs: number;
  /** Monotonic milliseconds; performance.now by default. */
  now?: () => number;
}

interface Waiter {
  resolve: () => void;
  timer: NodeJS.Timeout;
}

export class BurstOrder {
  /** Announced force-downs not answered yet, by node, with when they were announced. */
  private readonly fences = new Map<string, number>();
  private fenceTimer: NodeJS.Timeout | undefined;
  private readonly fenceWaiters: (() => void)[] = [];
  /** Jobs whose Nova work (and first notification attempts) is still going on. */
  private novaWork = 0;
  private readonly kubeWaiters = new Set<Waiter>();
  private readonly now: () => number;
  /** Set by release(): nothing waits any more. */
  private released = false;

  constructor(private readonly options: BurstOrderOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /** A force-down for `node` is coming: resets wait until it is answered (or `fenceHoldMs` passed). */
  expectForceDown(node: string): void {
    if (!this.fences.has(node)) this.fences.set(node, this.now());
  }

  /** The force-down for `node` was answered (or failed, or is not needed after all). */
  forceDownSettled(node: string): void {
    if (this.fences.delete(node)) this.checkFences();
  }

  /** Force-downs announced and neither answered nor expired. */
  get pendingForceDowns(): number {
    this.expireFences();
    return this.fences.size;
  }

  /** Resolves at once when no force-down is pending, else once every pending one is answered or expired. */
  forceDownsAnswered(): Promise<void> | undefined {
    if (this.released || this.pendingForceDowns === 0) return undefined;
    return new Promise((resolve) => {
      this.fenceWaiters.push(resolve);
      this.armFenceTimer();
    });
  }

  /** A job starts Nova work; call the returned function (idempotent) once it is over. */
  novaWorkStarted(): () => void {
    this.novaWork++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.novaWork--;
      if (this.novaWork === 0) this.releaseKube();
    };
  }

  /**
   * Undefined when a Kubernetes write may go now; else a promise that resolves once no Nova work is in
   * flight, or after `kubeHoldMs`.
   */
  kubeTurn(): Promise<void> | undefined {
    if (this.released || this.novaWork === 0) return undefined;
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          this.kubeWaiters.delete(waiter);
          resolve();
        }, this.options.kubeHoldMs),
      };
      this.kubeWaiters.add(waiter);
    });
  }

  /** Runs `write` now, or once Kubernetes' turn comes (see kubeTurn). */
  afterNova<T>(write: () => Promise<T>): Promise<T> {
    const turn = this.kubeTurn();
    return turn === undefined ? write() : turn.then(write);
  }

  /** Lets every waiter go, now and from now on (the executor stops: its last writes must not wait). */
  release(): void {
    this.released = true;
    this.fences.clear();
    this.checkFences();
    this.releaseKube();
  }

  private releaseKube(): void {
    for (const waiter of this.kubeWaiters) {
      clearTimeout(waiter.timer);
      waiter.resolve();
    }
    this.kubeWaiters.clear();
  }

  private expireFences(): void {
    const oldest = this.now() - this.options.fenceHoldMs;
    for (const [node, since] of this.fences) if (since <= oldest) this.fences.delete(node);
  }

  private checkFences(): void {
    if (this.pendingForceDowns > 0) {
      this.armFenceTimer();
      return;
    }
    clearTimeout(this.fenceTimer);
    this.fenceTimer = undefined;
    for (const resolve of this.fenceWaiters.splice(0)) resolve();
  }

  /** Wakes the waiters when the oldest pending force-down expires. */
  private armFenceTimer(): void {
    if (this.fenceWaiters.length === 0) return;
    const oldest = Math.min(...this.fences.values());
    clearTimeout(this.fenceTimer);
    this.fenceTimer = setTimeout(
      () => {
        this.fenceTimer = undefined;
        this.checkFences();
      },
      Math.max(0, oldest + this.options.fenceHoldMs - this.now()) + 1,
    );
  }
}

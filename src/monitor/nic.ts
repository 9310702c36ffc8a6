// Link state of the node's own NICs, read from <netClassDir>/<interface>/operstate (sysfs on a node; a
// temporary directory in unit tests), polled every probe interval. The core turns changes into
// compute.host.nic.down / compute.host.nic.up about this node.

// A builtin comes from process.getBuiltinModule, not `import`, to keep the monitor small (http-post.ts says why).
const { closeSync, openSync, readSync } = process.getBuiltinModule('node:fs');
const path = process.getBuiltinModule('node:path');

/**
 * "up" is up; "unknown" is what drivers that do not track link state (tun, some virtual NICs) report while
 * working, so it counts as up. Everything else (down, lowerlayerdown, dormant, notpresent, testing) is down.
 * A missing interface ("absent") is neither: the NIC watcher reports it as a configuration error.
 */
export function operstateIsUp(operstate: string): boolean {
  return operstate === 'up' || operstate === 'unknown';
}

/**
 * Reads operstate through file descriptors kept open: a sysfs attribute read at offset 0 returns the
 * current value, so each poll is one pread instead of open/fstat/read/close (this runs 10 times a second
 * per NIC). A vanished interface (ENODEV/ENOENT) reads as "absent" and is reopened on the next poll.
 */
export class OperstateReader {
  private readonly fds = new Map<string, number>();
  private readonly buffer = Buffer.alloc(64);

  constructor(private readonly netClassDir: string) {}

  read(iface: string): string {
    let fd = this.fds.get(iface);
    try {
      if (fd === undefined) {
        fd = openSync(path.join(this.netClassDir, iface, 'operstate'), 'r');
        this.fds.set(iface, fd);
      }
      const n = readSync(fd, this.buffer, 0, this.buffer.length, 0);
      return this.buffer.toString('latin1', 0, n).trim() || 'unknown';
    } catch (err) {
      this.forget(iface);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENODEV') return 'absent';
      throw err;
    }
  }

  forget(iface: string): void {
    const fd = this.fds.get(iface);
    this.fds.delete(iface);
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // Already invalid.
      }
    }
  }

  close(): void {
    for (const iface of [...this.fds.keys()]) this.forget(iface);
  }
}

export interface NicReading {
  iface: string;
  up: boolean;
  operstate: string;
  at: number;
}

export interface NicWatcherOptions {
  netClassDir: string;
  interfaces: string[];
  intervalMs: number;
  clock: () => number;
  onReading: (reading: NicReading) => void;
  /**
   * An interface the configuration names does not exist on this node (missing = true), or exists again.
   * Called on each change only. A missing interface is a configuration error, never a link down.
   */
  onMissing: (iface: string, missing: boolean, at: number) => void;
  onError: (iface: string, err: Error) => void;
}

export class NicWatcher {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private interfaces: string[];
  private intervalMs: number;
  private readonly reader: OperstateReader;
  private readonly missing = new Set<string>();

  constructor(private readonly options: NicWatcherOptions) {
    this.reader = new OperstateReader(options.netClassDir);
    this.interfaces = [...options.interfaces];
    this.intervalMs = options.intervalMs;
  }

  /** Whether a poll is scheduled (never while no interface is watched). */
  get polling(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.poll();
  }

  update(interfaces: string[], intervalMs: number): void {
    for (const iface of this.interfaces) {
      if (interfaces.includes(iface)) continue;
      this.reader.forget(iface);
      this.missing.delete(iface);
    }
    this.interfaces = [...interfaces];
    this.intervalMs = intervalMs;
    if (this.running && !this.timer) this.poll();
  }

  private poll(): void {
    this.timer = undefined;
    // Nothing to read (the default): no timer, so an idle monitor does not wake up every interval.
    if (!this.running || this.interfaces.length === 0) return;
    const at = this.options.clock();
    for (const iface of this.interfaces) {
      let operstate: string;
      try {
        operstate = this.reader.read(iface);
      } catch (err) {
        this.options.onError(iface, err as Error);
        continue;
      }
      const absent = operstate === 'absent';
      if (absent !== this.missing.has(iface)) {
        if (absent) this.missing.add(iface);
        else this.missing.delete(iface);
        this.options.onMissing(iface, absent, at);
      }
      if (!absent) this.options.onReading({ iface, up: operstateIsUp(operstate), operstate, at });
    }
    this.timer = setTimeout(() => this.poll(), this.intervalMs);
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.reader.close();
  }
}

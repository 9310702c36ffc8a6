// Wires the monitor together: probers feed the pure core, the core's reports go to the sender, the NIC
// watcher and the heartbeat run beside them, and a new configuration is applied without restarting
// probes that did not change.
import type { LevelLogger } from '../observability/json-lines-logger.js';
import type { MonitorEnvironment, MonitorHost, MonitorSettings } from './config.js';
import { FpingProber } from './fping-prober.js';
import { MonitorCore, type ReportIntent } from './monitor-core.js';
import { NicWatcher } from './nic.js';
import { watchedBy } from '../contracts/observer-ring.js';
import { EventFactory } from './report.js';
import { ReportSender } from './sender.js';

export interface AgentOptions {
  env: MonitorEnvironment;
  settings: MonitorSettings;
  logger: LevelLogger;
  clock?: () => number;
  fpingCommand?: string;
}

// process.hrtime, not `performance`: the global `performance` loads perf_hooks and eight more internal
// modules, some 1.5 MB of memory on every node, for two numbers.
const { hrtime } = process;

function monotonicMs(): number {
  const [seconds, nanoseconds] = hrtime();
  return seconds * 1e3 + nanoseconds / 1e6;
}

const epochOffsetMs = Date.now() - monotonicMs();

/** Epoch milliseconds with a sub-millisecond fraction, monotonic within the process. */
export function epochClock(): number {
  return epochOffsetMs + monotonicMs();
}

// Reports that mean "something failed": logged as Doctor's monitor does, with the epoch of detection.
const detections = new Set(['compute.host.down', 'compute.host.isolated', 'compute.host.nic.down']);

export class MonitorAgent {
  private settings: MonitorSettings;
  private readonly clock: () => number;
  private readonly core: MonitorCore;
  private readonly sender: ReportSender;
  private readonly nics: NicWatcher;
  private readonly events: EventFactory;
  private prober: FpingProber | undefined;
  /** What the running prober probes: name=address pairs, for telling whether it must restart. */
  private proberKey = '';
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly options: AgentOptions) {
    this.settings = options.settings;
    this.clock = options.clock ?? epochClock;
    const self = options.env.nodeName;
    this.core = new MonitorCore(self, options.settings);
    this.events = new EventFactory(self, this.clock());
    this.sender = new ReportSender({
      url: options.settings.inspectorUrl,
      timeoutMs: options.settings.deliveryTimeoutMilliseconds,
      maxBackoffMs: options.settings.maxBackoffMilliseconds,
      tokenFile: options.env.tokenFile,
      logger: options.logger,
    });
    this.nics = new NicWatcher({
      netClassDir: options.env.netClassDir,
      interfaces: options.settings.interfaces,
      intervalMs: options.settings.intervalMilliseconds,
      clock: this.clock,
      onReading: (r) => this.handle(this.core.onNic(r.iface, r.up, r.at, r.operstate)),
      onMissing: (iface, missing, at) => this.interfaceMissing(iface, missing, at),
      onError: (iface, err) =>
        options.logger.warn('cannot read NIC state', { interface: iface, error: err.message }),
    });
  }

  get pendingReports(): number {
    return this.sender.pending;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.applyWatched();
    this.nics.start();
    this.sendHeartbeat();
    this.scheduleHeartbeat();
    this.options.logger.info('monitor started', this.describe());
  }

  private describe(): Record<string, unknown> {
    const s = this.settings;
    return {
      node: this.options.env.nodeName,
      policy: s.policy,
      watching: this.core.watched().map((h) => `${h.name}=${h.address}`),
      intervalMilliseconds: s.intervalMilliseconds,
      timeoutMilliseconds: s.timeoutMilliseconds,
      failureThreshold: s.failureThreshold,
      successThreshold: s.successThreshold,
      interfaces: s.interfaces,
      inspectorUrl: s.inspectorUrl,
    };
  }

  /** Applies a new configuration; probes whose peer, address and timing are unchanged keep running. */
  applySettings(next: MonitorSettings): void {
    const before = this.settings;
    this.settings = next;
    const timingChanged =
      before.intervalMilliseconds !== next.intervalMilliseconds ||
      before.timeoutMilliseconds !== next.timeoutMilliseconds;
    this.core.setSettings(next);
    this.sender.update({
      url: next.inspectorUrl,
      timeoutMs: next.deliveryTimeoutMilliseconds,
      maxBackoffMs: next.maxBackoffMilliseconds,
    });
    for (const iface of before.interfaces) if (!next.interfaces.includes(iface)) this.core.forgetNic(iface);
    this.nics.update(next.interfaces, next.intervalMilliseconds);
    if (timingChanged) this.stopProber();
    else this.prober?.setFailureThreshold(next.failureThreshold);
    this.applyWatched();
    if (before.heartbeatSeconds !== next.heartbeatSeconds) this.scheduleHeartbeat();
    this.options.logger.info('configuration applied', this.describe());
  }

  private applyWatched(): void {
    const watched = watchedBy(this.settings.hosts, this.options.env.nodeName, this.settings.peers);
    if (watched.length === 0) {
      this.options.logger.warn(
        'this node watches no peers (it is not in the host list, or the list has one host)',
        {
          node: this.options.env.nodeName,
          hosts: this.settings.hosts.length,
        },
      );
    }
    const key = watched.map((h) => `${h.name}=${h.address}`).join(',');
    // One fping probes every watched peer: a changed set restarts it (peers that stay keep their state
    // in the core; the restart costs them one round of probes).
    if (key !== this.proberKey) this.stopProber();
    this.handle(this.core.setPeers(watched, this.clock()));
    if (!this.prober && watched.length > 0) this.startProber(watched, key);
  }

  private startProber(watched: MonitorHost[], key: string): void {
    const prober = new FpingProber({
      targets: watched,
      intervalMs: this.settings.intervalMilliseconds,
      timeoutMs: this.settings.timeoutMilliseconds,
      clock: this.clock,
      logger: this.options.logger,
      onOutcome: (name, o) => this.handle(this.core.onProbe(name, o)),
      failureThreshold: this.settings.failureThreshold,
      ...(this.options.fpingCommand ? { fpingCommand: this.options.fpingCommand } : {}),
    });
    this.prober = prober;
    this.proberKey = key;
    prober.start();
  }

  private stopProber(): void {
    const prober = this.prober;
    this.prober = undefined;
    this.proberKey = '';
    prober?.stop().catch((err: unknown) => {
      this.options.logger.warn('stopping the prober failed', { error: (err as Error).message });
    });
  }

  private handle(intents: readonly ReportIntent[]): void {
    if (intents.length === 0 && this.core.holdExpiresAt === undefined) return;
    this.armHoldTimer();
    for (const intent of intents) {
      const event = this.events.fromIntent(intent);
      const meta = {
        type: event.type,
        hostname: intent.hostname,
        eventTime: event.time,
        monitorEventId: event.details.monitor_event_id,
        ...(intent.address ? { address: intent.address } : {}),
        ...(intent.interface ? { interface: intent.interface } : {}),
        ...intent.extra,
      };
      if (detections.has(intent.type)) {
        this.options.logger.warn(`doctor monitor detected at ${(intent.at / 1000).toFixed(6)}`, meta);
      } else {
        this.options.logger.info(`doctor monitor reports ${intent.type}`, meta);
      }
      this.sender.enqueue(event);
    }
  }

  /** A configured interface that does not exist is a configuration error to report, not a link down. */
  private interfaceMissing(iface: string, missing: boolean, at: number): void {
    if (missing) {
      this.core.forgetNic(iface);
      this.options.logger.warn('a configured interface does not exist on this node', { interface: iface });
    }
    this.handle([
      {
        type: missing ? 'compute.host.nic.missing' : 'compute.host.nic.present',
        hostname: this.options.env.nodeName,
        status: missing ? 'missing' : 'present',
        at,
        interface: iface,
      },
    ]);
  }

  /** A timer only while the core holds a verdict (so an idle monitor does not wake up for nothing). */
  private armHoldTimer(): void {
    const due = this.core.holdExpiresAt;
    if (due === undefined || this.tickTimer || !this.running) return;
    this.tickTimer = setTimeout(
      () => {
        this.tickTimer = undefined;
        if (this.running) this.handle(this.core.onTick(this.clock()));
      },
      Math.max(0, due - this.clock()) + 1,
    );
  }

  private sendHeartbeat(): void {
    this.sender.enqueue(this.events.heartbeat(this.clock(), this.core.isIsolated, this.core.verdicts()));
  }

  private scheduleHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => this.sendHeartbeat(), this.settings.heartbeatSeconds * 1000);
  }

  /** Stops probing (and the fping process), then tries for up to `flushMs` to deliver pending reports. */
  async stop(flushMs = 2000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.tickTimer) clearTimeout(this.tickTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.nics.stop();
    const prober = this.prober;
    this.prober = undefined;
    await prober?.stop();
    const flushed = await this.sender.flush(flushMs);
    this.sender.stop();
    this.options.logger.info('monitor stopped', { undeliveredReports: flushed ? 0 : this.sender.pending });
  }
}

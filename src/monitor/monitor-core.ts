// The monitor's decisions, pure (times come in with the inputs): per-peer verdicts, local NIC states, and
// the isolation rule. Inputs are probe outcomes, NIC readings and clock ticks; outputs are the reports to
// send. The agent does the I/O around it.
//
// Isolation: when the observer's own link fails, every probe it sends is lost from that instant, so all
// its reachable peers start missing within one probe interval of each other. Reporting them all down
// would blame healthy hosts, so when ALL watched peers that were reachable (at least two of them, or at
// least one while a watched local NIC is down) go missing together, the monitor reports itself
// `compute.host.isolated` instead, and `compute.host.connected` once a peer answers again. Because peers
// are probed out of phase, the first peer to reach its failure threshold may do so up to one interval
// before the others; its down verdict is held until they either reach theirs too (isolation) or answer
// (a real fault of that peer, reported at once). The hold is bounded by `holdLimitMs`.
import type { HostEventType, PeerVerdict } from '../api/events.js';
import type { MonitorHost } from './config.js';
import { PeerDetector, type ProbeOutcome, type Thresholds, type Verdict } from './detector.js';

export interface ReportIntent {
  type: HostEventType;
  /** The host the report is about. */
  hostname: string;
  status: string;
  /** Detection time, epoch ms. */
  at: number;
  address?: string;
  rttMs?: number;
  interface?: string;
  /** Extra detail keys for the event (snake_case, as Doctor's). */
  extra?: Record<string, unknown>;
}

export interface CoreSettings extends Thresholds {
  intervalMilliseconds: number;
}

/** Returned when an input changes nothing (the common case: every probe of a healthy peer). */
const noReports: readonly ReportIntent[] = Object.freeze([]);

interface PeerState {
  host: MonitorHost;
  detector: PeerDetector;
  /** What the inspector has been told (or will be: the report is queued). */
  reported: Verdict;
}

export class MonitorCore {
  private readonly peers = new Map<string, PeerState>();
  private readonly nics = new Map<string, { detector: PeerDetector; lastUp: boolean }>();
  private isolated = false;
  private holdSince: number | undefined;

  constructor(
    readonly self: string,
    private settings: CoreSettings,
  ) {}

  get isIsolated(): boolean {
    return this.isolated;
  }

  /** Peers whose send times of the first missed probe lie within this span are "missing together". */
  get windowMs(): number {
    return this.settings.intervalMilliseconds * 1.5 + 10;
  }

  get holdLimitMs(): number {
    return this.windowMs + this.settings.intervalMilliseconds;
  }

  setSettings(settings: CoreSettings): void {
    this.settings = settings;
    for (const p of this.peers.values()) p.detector.setThresholds(settings);
    for (const n of this.nics.values()) n.detector.setThresholds(settings);
  }

  /** Replaces the watched set; peers that stay keep their state. */
  setPeers(hosts: readonly MonitorHost[], now: number): ReportIntent[] {
    const wanted = new Map(hosts.map((h) => [h.name, h]));
    for (const name of [...this.peers.keys()]) if (!wanted.has(name)) this.peers.delete(name);
    for (const host of hosts) {
      const existing = this.peers.get(host.name);
      if (!existing) {
        this.peers.set(host.name, { host, detector: new PeerDetector(this.settings), reported: 'unknown' });
      } else if (existing.host.address !== host.address) {
        existing.host = host;
        existing.detector.reset();
      }
    }
    return this.evaluate(now);
  }

  watched(): MonitorHost[] {
    return [...this.peers.values()].map((p) => p.host);
  }

  onProbe(name: string, outcome: ProbeOutcome): readonly ReportIntent[] {
    const peer = this.peers.get(name);
    if (!peer) return noReports;
    const change = peer.detector.observe(outcome);
    if (this.isolated) return change === 'up' ? this.reconnect(peer, outcome.at) : noReports;
    // No verdict changed and none is held: every down verdict is already reported, nothing to decide.
    if (change === undefined && this.holdSince === undefined) return noReports;
    const out: ReportIntent[] = [];
    if (change === 'up' && peer.reported !== 'up') {
      peer.reported = 'up';
      out.push(this.peerReport(peer, 'up', outcome.at));
    }
    out.push(...this.evaluate(outcome.at));
    return out;
  }

  /**
   * A reading of a watched NIC. Readings go through the same thresholds as probes (down after
   * failureThreshold down readings, up after successThreshold up readings), so a link that flaps faster
   * than that is not reported; the first verdict and every change are. For the isolation rule the latest
   * raw reading counts at once.
   */
  onNic(name: string, up: boolean, at: number, operstate: string): ReportIntent[] {
    let nic = this.nics.get(name);
    if (!nic) {
      nic = { detector: new PeerDetector(this.settings), lastUp: up };
      this.nics.set(name, nic);
    }
    nic.lastUp = up;
    const change = nic.detector.observe({ ok: up, sentAt: at, at });
    const out: ReportIntent[] = [];
    if (change === 'up' || change === 'down') {
      out.push({
        type: change === 'up' ? 'compute.host.nic.up' : 'compute.host.nic.down',
        hostname: this.self,
        status: change,
        at,
        interface: name,
        extra: { operstate },
      });
    }
    out.push(...this.evaluate(at));
    return out;
  }

  forgetNic(name: string): void {
    this.nics.delete(name);
  }

  /** When a held verdict must be decided by onTick (undefined: nothing is held). */
  get holdExpiresAt(): number | undefined {
    return this.holdSince === undefined ? undefined : this.holdSince + this.holdLimitMs;
  }

  /** Bounds how long a down verdict can wait for the isolation decision. */
  onTick(now: number): ReportIntent[] {
    if (this.holdSince === undefined || now - this.holdSince < this.holdLimitMs) return [];
    return this.evaluate(now, true);
  }

  /** What the heartbeat says about each watched peer. */
  verdicts(): PeerVerdict[] {
    return [...this.peers.values()].map((p) => ({
      hostname: p.host.name,
      status: this.isolated || p.reported === 'unknown' ? 'unknown' : p.reported,
    }));
  }

  private anyNicDown(): boolean {
    return [...this.nics.values()].some((n) => !n.lastUp);
  }

  private evaluate(now: number, holdExpired = false): ReportIntent[] {
    if (this.isolated) return [];
    // Hot path (every probe outcome): nothing to decide unless some peer's down verdict is unreported.
    let anyUnreported = false;
    for (const p of this.peers.values()) {
      if (p.detector.verdict === 'down' && p.reported !== 'down') {
        anyUnreported = true;
        break;
      }
    }
    if (!anyUnreported) {
      this.holdSince = undefined;
      return [];
    }
    const all = [...this.peers.values()];
    const held = all.filter((p) => p.detector.verdict === 'down' && p.reported !== 'down');
    if (held.length === 0) {
      this.holdSince = undefined;
      return [];
    }
    const candidates = all.filter((p) => p.reported !== 'down');
    const enough = candidates.length >= 2 || (candidates.length >= 1 && this.anyNicDown());
    if (enough && this.missingTogether(candidates)) {
      if (holdExpired || candidates.every((p) => p.detector.verdict === 'down'))
        return this.isolate(now, candidates);
      this.holdSince ??= now;
      return [];
    }
    this.holdSince = undefined;
    return held.map((p) => {
      p.reported = 'down';
      return this.peerReport(p, 'down', now);
    });
  }

  private missingTogether(candidates: PeerState[]): boolean {
    const starts: number[] = [];
    for (const p of candidates) {
      if (p.detector.misses === 0 || p.detector.missingSince === undefined) return false;
      starts.push(p.detector.missingSince);
    }
    return Math.max(...starts) - Math.min(...starts) <= this.windowMs;
  }

  private isolate(now: number, candidates: PeerState[]): ReportIntent[] {
    this.isolated = true;
    this.holdSince = undefined;
    return [
      {
        type: 'compute.host.isolated',
        hostname: this.self,
        status: 'isolated',
        at: now,
        extra: {
          unreachable_peers: candidates.map((p) => p.host.name).sort(),
          nic_down: this.anyNicDown(),
        },
      },
    ];
  }

  private reconnect(peer: PeerState, at: number): ReportIntent[] {
    this.isolated = false;
    // Misses collected while cut off say nothing about the other peers: judge them afresh.
    for (const p of this.peers.values()) if (p !== peer) p.detector.reset();
    const out: ReportIntent[] = [
      {
        type: 'compute.host.connected',
        hostname: this.self,
        status: 'connected',
        at,
        extra: { via: peer.host.name },
      },
    ];
    if (peer.reported !== 'up') {
      peer.reported = 'up';
      out.push(this.peerReport(peer, 'up', at));
    }
    return out;
  }

  private peerReport(peer: PeerState, status: 'up' | 'down', at: number): ReportIntent {
    const d = peer.detector;
    const intent: ReportIntent = {
      type: status === 'up' ? 'compute.host.up' : 'compute.host.down',
      hostname: peer.host.name,
      status,
      at,
      address: peer.host.address,
      extra:
        status === 'down'
          ? { missed_probes: d.misses, missing_since: new Date(d.missingSince ?? at).toISOString() }
          : { replies: d.successes },
    };
    if (d.lastRttMs !== undefined) intent.rttMs = d.lastRttMs;
    return intent;
  }
}

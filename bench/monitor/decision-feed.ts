// The inspector's correlation engine (the operator's own pure core) fed with the reports a test receiver
// took in: each request body goes through the operator's parser and into the engine at the time it
// arrived, so a host-down decision is timed at the arrival of the report that completed the quorum
// (plus the engine's own computing time).
import { performance } from 'node:perf_hooks';
import type { MonitorHost } from '../../src/api/monitor-config.js';
import { createCorrelationEngine, type CorrelationEngine } from '../../src/inspector/engine.js';
import { parseEventsJson } from '../../src/intake/parse-events.js';
import { observersOf } from '../../src/contracts/observer-ring.js';
import type { EventReceiver } from '../../tools/testbed/event-receiver.js';

export interface DownDecision {
  host: string;
  /** Epoch ms: arrival of the deciding report plus the engine's computing time. */
  at: number;
  evidence: string[];
}

export class DecisionFeed {
  private readonly engine: CorrelationEngine;
  private fed = 0;

  constructor(
    private readonly receiver: EventReceiver,
    hosts: readonly MonitorHost[],
    peers: number,
    quorum: number,
  ) {
    const names = hosts.map((h) => ({ name: h.name }));
    this.engine = createCorrelationEngine({
      // No recovery delay and no storm guard: every fault of the run starts from a Healthy host.
      detection: { quorum, windowMilliseconds: 1000, healthySeconds: 0 },
      protection: { maxUnhealthy: '100%' },
      hosts: hosts.map((h) => ({ name: h.name, maintenance: false })),
      observers: Object.fromEntries(
        hosts.map((h) => [h.name, observersOf(names, h.name, peers).map((o) => o.name)]),
      ),
    });
  }

  /** Feeds every request received since the last call; returns the host-down decisions taken. */
  drain(): DownDecision[] {
    const out: DownDecision[] = [];
    const requests = this.receiver.requests;
    for (; this.fed < requests.length; this.fed++) {
      const request = requests[this.fed]!;
      const started = performance.now();
      const parsed = parseEventsJson(request.raw);
      if (!parsed.ok) continue;
      const decisions = this.engine.observe(parsed.events, request.at);
      const took = performance.now() - started;
      for (const d of decisions) {
        if (d.kind === 'hostDown') out.push({ host: d.host, at: request.at + took, evidence: d.evidence });
      }
    }
    return out;
  }

  /** Lets recovery complete; returns the host's state afterwards. */
  settle(host: string, now: number): string | undefined {
    this.drain();
    this.engine.tick(now);
    return this.engine.snapshot(host)?.state;
  }
}

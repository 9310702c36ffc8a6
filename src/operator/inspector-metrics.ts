// Metrics of the inspector as the operator runs it: detection latency per timeline segment, hosts by
// state, storm-guard holds and how long ago each policy's monitors last reported. Gauges are computed
// when Prometheus scrapes, from the caches and engines: nothing is counted on the report's path.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { hostStates, type FaultTimeline, type HostHealth } from '../api/types.js';
import { latencyBuckets, secondsBetween } from '../observability/metrics.js';
import type { ReadCache } from '../runtime/read-cache.js';

/** What the gauges are computed from at scrape time. */
export interface InspectorMetricSources {
  hostHealths: ReadCache<HostHealth>;
  /** Per policy with a running engine: hosts the storm guard holds back. */
  stormHeld(): Map<string, number>;
  /** Per policy with a running engine: the oldest heartbeat age and how many monitors are silent. */
  monitorHeartbeats(): Map<string, { oldestAgeSeconds: number; silent: number }>;
}

export interface InspectorMetrics {
  detectionLatency: Histogram<'segment'>;
  stormHolds: Counter<'policy'>;
}

const detectionSegments: readonly [keyof FaultTimeline, keyof FaultTimeline][] = [
  ['T00', 'T01'],
  ['T01', 'T02'],
  ['T02', 'T03'],
  ['T01', 'T03'],
];

export function createInspectorMetrics(
  registry: Registry,
  sources: InspectorMetricSources,
): InspectorMetrics {
  new Gauge({
    name: 'doctor_hosts',
    help: 'Monitored hosts by policy and state (from HostHealth status; Unknown before the first report).',
    labelNames: ['policy', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      const counts = new Map<string, Map<string, number>>();
      for (const host of sources.hostHealths.list()) {
        const policy = host.spec?.policy;
        if (!policy) continue;
        let byState = counts.get(policy);
        if (!byState) {
          byState = new Map(hostStates.map((state) => [state, 0]));
          counts.set(policy, byState);
        }
        const state = host.status?.state ?? 'Unknown';
        byState.set(state, (byState.get(state) ?? 0) + 1);
      }
      for (const [policy, byState] of counts)
        for (const [state, n] of byState) this.set({ policy, state }, n);
    },
  });
  new Gauge({
    name: 'doctor_storm_held_hosts',
    help: 'Hosts the storm guard holds back (they qualify as Down, but protection.maxUnhealthy is reached), by policy.',
    labelNames: ['policy'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [policy, held] of sources.stormHeld()) this.set({ policy }, held);
    },
  });
  const heartbeats = () => sources.monitorHeartbeats();
  new Gauge({
    name: 'doctor_monitor_heartbeat_age_seconds',
    help: "Seconds since the least recent report of a policy's monitors (hosts Down or in maintenance left out); leader only.",
    labelNames: ['policy'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [policy, beat] of heartbeats()) this.set({ policy }, beat.oldestAgeSeconds);
    },
  });
  new Gauge({
    name: 'doctor_monitors_silent',
    help: 'Monitors of a policy that have not reported for longer than the silence limit (hosts Down or in maintenance left out); leader only.',
    labelNames: ['policy'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [policy, beat] of heartbeats()) this.set({ policy }, beat.silent);
    },
  });
  return {
    detectionLatency: new Histogram({
      name: 'doctor_detection_latency_seconds',
      help: 'Fault injected (T00, tests only), first detection (T01), first report received (T02) and host declared down (T03), by segment.',
      labelNames: ['segment'],
      buckets: latencyBuckets,
      registers: [registry],
    }),
    stormHolds: new Counter({
      name: 'doctor_storm_holds_total',
      help: 'Times the storm guard started or widened holding hosts back, by policy.',
      labelNames: ['policy'],
      registers: [registry],
    }),
  };
}

/** Observes the detection segments of a newly declared fault. */
export function observeDetection(metrics: InspectorMetrics, timeline: FaultTimeline): void {
  for (const [from, to] of detectionSegments) {
    const seconds = secondsBetween(timeline[from], timeline[to]);
    if (seconds !== undefined) metrics.detectionLatency.observe({ segment: `${from}-${to}` }, seconds);
  }
}

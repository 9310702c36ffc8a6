// Metrics of remediation: Nova calls and errors by operation, notifications by consumer and outcome, and
// the latency of each timeline segment after the host was declared down. Label values come from fixed
// lists (operations, outcomes, segments) or from policies (consumer names), never from the network.
import { Counter, Histogram, Registry } from 'prom-client';
import { latencyBuckets, secondsBetween } from '../observability/metrics.js';
import type { FaultTimeline } from '../api/types.js';
import type { TimelinePoint } from './status.js';

export const novaOperations = [
  'authenticate',
  'listServices',
  'listServers',
  'forceDown',
  'unforce',
  'resetServer',
] as const;
export type NovaOperation = (typeof novaOperations)[number];

export const notificationOutcomes = ['delivered', 'retried', 'abandoned'] as const;
export type NotificationOutcome = (typeof notificationOutcomes)[number];

/** Timeline segments measured when their end point is reached: [histogram, from, to]. */
const segments: readonly ['remediation' | 'notification', TimelinePoint, TimelinePoint][] = [
  ['remediation', 'T03', 'T04'],
  ['remediation', 'T03', 'T05'],
  ['remediation', 'T03', 'T08'],
  ['notification', 'T01', 'T06'],
  ['notification', 'T01', 'T07'],
  ['notification', 'T03', 'T06'],
  ['notification', 'T03', 'T07'],
];

export interface RemediationMetrics {
  novaCalls: Counter<'operation'>;
  novaErrors: Counter<'operation'>;
  notifications: Counter<'consumer' | 'outcome'>;
  remediationLatency: Histogram<'segment'>;
  notificationLatency: Histogram<'segment'>;
}

export function createRemediationMetrics(registry: Registry = new Registry()): RemediationMetrics {
  const metrics: RemediationMetrics = {
    novaCalls: new Counter({
      name: 'doctor_nova_calls_total',
      help: 'Nova and Keystone operations started, by operation (a listing of all pages counts once).',
      labelNames: ['operation'],
      registers: [registry],
    }),
    novaErrors: new Counter({
      name: 'doctor_nova_errors_total',
      help: 'Nova and Keystone operations that failed (after the client retries), by operation.',
      labelNames: ['operation'],
      registers: [registry],
    }),
    notifications: new Counter({
      name: 'doctor_notifications_total',
      help: 'Notification delivery attempts by consumer and outcome: delivered, retried (failed, tried again later) or abandoned (given up).',
      labelNames: ['consumer', 'outcome'],
      registers: [registry],
    }),
    remediationLatency: new Histogram({
      name: 'doctor_remediation_latency_seconds',
      help: 'Host declared down (T03) to Nova service forced down (T04), servers reset (T05) and status written (T08), by segment.',
      labelNames: ['segment'],
      buckets: latencyBuckets,
      registers: [registry],
    }),
    notificationLatency: new Histogram({
      name: 'doctor_notification_latency_seconds',
      help: 'First detection (T01) or host declared down (T03) to first (T06) and every (T07) consumer notified, by segment.',
      labelNames: ['segment'],
      buckets: latencyBuckets,
      registers: [registry],
    }),
  };
  // Known label values are exported from the start, so queries and alerts see zeros, not gaps.
  for (const operation of novaOperations) {
    metrics.novaCalls.inc({ operation }, 0);
    metrics.novaErrors.inc({ operation }, 0);
  }
  return metrics;
}

/** Observes every segment that ends at `point`, now that the timeline has reached it. */
export function observeTimelinePoint(
  metrics: RemediationMetrics,
  timeline: FaultTimeline,
  point: TimelinePoint,
): void {
  for (const [histogram, from, to] of segments) {
    if (to !== point) continue;
    const seconds = secondsBetween(timeline[from], timeline[to]);
    if (seconds === undefined) continue;
    const target = histogram === 'remediation' ? metrics.remediationLatency : metrics.notificationLatency;
    target.observe({ segment: `${from}-${to}` }, seconds);
  }
}

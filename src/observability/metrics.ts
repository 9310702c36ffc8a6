// Prometheus metrics of the operator. One registry per process so tests can create operators freely.
// This file holds the registry, the process metrics (standard names: process_*, nodejs_*) and the
// controller runtime's own metrics; each stage defines its metrics once, in its own metrics.ts, on the
// registry it is given (see docs/operations.md for the whole list).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface OperatorMetrics {
  registry: Registry;
  reconciles: Counter<'controller' | 'result'>;
  reconcileDuration: Histogram<'controller'>;
  reconcileErrors: Counter<'controller'>;
  queueDepth: Gauge<'controller'>;
  isLeader: Gauge;
}

/** Buckets of the fault-path latency histograms, in seconds: Doctor's goal is under one second. */
export const latencyBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** Seconds from `from` to `to` (RFC 3339 times), or undefined when either is missing or unreadable. */
export function secondsBetween(from: string | undefined, to: string | undefined): number | undefined {
  if (from === undefined || to === undefined) return undefined;
  const seconds = (Date.parse(to) - Date.parse(from)) / 1000;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

export function createOperatorMetrics(): OperatorMetrics {
  const registry = new Registry();
  // The event-loop lag histogram samples with a timer; at prom-client's default 10 ms that timer alone
  // woke the idle operator 100 times a second (about 0.3% of a core). 100 ms still shows any lag.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  return {
    registry,
    reconciles: new Counter({
      name: 'doctor_reconciles_total',
      help: 'Reconciliations by controller and result (success, error, requeue).',
      labelNames: ['controller', 'result'],
      registers: [registry],
    }),
    reconcileDuration: new Histogram({
      name: 'doctor_reconcile_duration_seconds',
      help: 'Time spent in one reconciliation.',
      labelNames: ['controller'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    reconcileErrors: new Counter({
      name: 'doctor_reconcile_errors_total',
      help: 'Reconciliations that failed and were retried.',
      labelNames: ['controller'],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'doctor_workqueue_depth',
      help: 'Keys waiting in the work queue.',
      labelNames: ['controller'],
      registers: [registry],
    }),
    isLeader: new Gauge({
      name: 'doctor_leader',
      help: '1 when this replica holds the leader lease.',
      registers: [registry],
    }),
  };
}

// Tunables of the executor, with the defaults an operator runs with. Tests shrink the delays.
import type { RetryDelayOptions } from '../notify/index.js';
import { defaultResetConcurrency } from '../openstack/index.js';
import { novaMaxSockets } from './nova-clients.js';
import type { StatusBatcherOptions } from './status-batcher.js';

export interface StepRetryOptions {
  /** Tries of one step (force down, list and reset, taint...) before it is marked Failed. */
  maxAttempts: number;
  baseMs: number;
  capMs: number;
}

export interface RemediationOptions {
  /** os-resetState calls in flight at once for one host; there is no cap on the number of servers. */
  resetConcurrency: number;
  /** os-resetState calls in flight at once over every host (a rack failure); the Nova socket pool matches. */
  globalResetConcurrency: number;
  /** Deliveries in flight per consumer. */
  deliveryConcurrency: number;
  /** Notifications not delivered this long after the fault (or recovery) are given up, with a Warning. */
  notificationMaxAgeMs: number;
  notificationRetry: RetryDelayOptions;
  stepRetry: StepRetryOptions;
  status: StatusBatcherOptions;
  /** How long stop() waits for deliveries in flight and the last status write. */
  stopTimeoutMs: number;
  /** Longest time an announced force-down holds back server resets (burst-order.ts). */
  fenceHoldMs: number;
  /** Longest time a status write, Event or taint waits for the Nova work in flight (burst-order.ts). */
  kubeHoldMs: number;
}

export const defaultRemediationOptions: RemediationOptions = {
  resetConcurrency: defaultResetConcurrency,
  globalResetConcurrency: novaMaxSockets,
  // A consumer hears about 50 servers of a host in one round trip.
  deliveryConcurrency: 64,
  notificationMaxAgeMs: 60 * 60_000,
  notificationRetry: { baseMs: 200, capMs: 10_000 },
  // The Nova client already retried 5xx and connection errors for up to 20 s; these retries are for
  // longer outages and fixable configuration (a Secret created late): about 8 minutes in all.
  stepRetry: { maxAttempts: 8, baseMs: 2_000, capMs: 120_000 },
  status: { minIntervalMs: 50, lazyMs: 5_000, retryBaseMs: 500, retryCapMs: 15_000 },
  stopTimeoutMs: 10_000,
  // A force-down answers within milliseconds; a Nova that takes longer must not keep the servers waiting.
  fenceHoldMs: 1_000,
  // A rack of resets and notifications takes well under a second: status lands within 2 s at worst.
  kubeHoldMs: 2_000,
};

export type RemediationOptionsInput = Partial<Omit<RemediationOptions, 'status' | 'stepRetry'>> & {
  status?: Partial<StatusBatcherOptions>;
  stepRetry?: Partial<StepRetryOptions>;
};

export function resolveRemediationOptions(input: RemediationOptionsInput = {}): RemediationOptions {
  const options: RemediationOptions = {
    ...defaultRemediationOptions,
    ...input,
    notificationRetry: { ...defaultRemediationOptions.notificationRetry, ...input.notificationRetry },
    stepRetry: { ...defaultRemediationOptions.stepRetry, ...input.stepRetry },
    status: { ...defaultRemediationOptions.status, ...input.status },
  };
  const positiveInts: [string, number][] = [
    ['resetConcurrency', options.resetConcurrency],
    ['globalResetConcurrency', options.globalResetConcurrency],
    ['deliveryConcurrency', options.deliveryConcurrency],
    ['stepRetry.maxAttempts', options.stepRetry.maxAttempts],
  ];
  for (const [field, value] of positiveInts)
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`${field} must be an integer >= 1, got ${value}`);
  const nonNegative: [string, number][] = [
    ['notificationMaxAgeMs', options.notificationMaxAgeMs],
    ['stepRetry.baseMs', options.stepRetry.baseMs],
    ['stepRetry.capMs', options.stepRetry.capMs],
    ['status.minIntervalMs', options.status.minIntervalMs],
    ['status.lazyMs', options.status.lazyMs],
    ['stopTimeoutMs', options.stopTimeoutMs],
    ['fenceHoldMs', options.fenceHoldMs],
    ['kubeHoldMs', options.kubeHoldMs],
  ];
  for (const [field, value] of nonNegative)
    if (!Number.isFinite(value) || value < 0)
      throw new RangeError(`${field} must be a number >= 0, got ${value}`);
  return options;
}

// What the maintenance workflow needs from outside, as small interfaces: the operator implements them
// with the Kubernetes API (status subresource, Events), the policy's Nova client and webhook delivery;
// tests use plain fakes or the simulator.
import type { HostMaintenanceSpec, MaintenancePolicy, MaintenanceStatus } from '../api/maintenance-types.js';
import type { NotifyTarget } from '../api/types.js';
import type { DeliveryResult, PreparedNotification } from '../notify/index.js';
import type { Logger } from '../observability/logger.js';
import type { NovaApi, NovaMaintenanceApi } from '../openstack/index.js';

export interface ReadyCondition {
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export interface MaintenancePorts {
  /** Writes status.maintenance of HostHealth `node` (the whole record), and the ReadyForMaintenance condition when given. */
  writeStatus(node: string, record: MaintenanceStatus, condition?: ReadyCondition): Promise<void>;
  /** Records an Event on the HostHealth; never throws. */
  event(node: string, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void>;
  /** One delivery attempt, signed with the target's key when it has one; never throws. */
  deliver(target: NotifyTarget, notification: PreparedNotification): Promise<DeliveryResult>;
  now(): number;
  log: Logger;
}

/** One host under maintenance and everything its workflow needs to know. */
export interface MaintenanceHost {
  node: string;
  novaHost: string;
  serviceId?: string;
  /** listComputeServices tells whether the service was already down before maintenance. */
  nova: NovaMaintenanceApi & Pick<NovaApi, 'listComputeServices'>;
  targets: NotifyTarget[];
  policy: MaintenancePolicy;
  spec: HostMaintenanceSpec;
  trigger: MaintenanceStatus['trigger'];
  /** Where a consumer PUTs its answer for this session. */
  replyUrl(sessionId: string, consumer: string): string;
}

export interface MaintenanceTiming {
  /** Between two looks at a migration in Nova. */
  pollMs: number;
  /** Attempts of a Nova step (disable, list, enable) before it is recorded as Failed. */
  stepAttempts: number;
  /** Attempts of one notification before it is given up. */
  deliveryAttempts: number;
  retryBaseMs: number;
  /** Between two looks at a host that still has servers. */
  recheckMs: number;
  /** Notifications in flight at once per host. */
  deliveryConcurrency: number;
}

export const defaultTiming: MaintenanceTiming = {
  pollMs: 500,
  stepAttempts: 5,
  deliveryAttempts: 5,
  retryBaseMs: 200,
  recheckMs: 5_000,
  deliveryConcurrency: 64,
};

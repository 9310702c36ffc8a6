// What every leader-only part (remediation, maintenance) is wired with: the API clients it writes
// through, the informer caches it reads instead of the API server, and where it logs and records Events.
import type * as k8s from '@kubernetes/client-node';
import type { FaultPolicy, HostHealth } from '../api/types.js';
import type { Logger } from '../observability/logger.js';
import type { CoalescingStatusWriter } from '../runtime/coalescing-status-writer.js';
import type { EventRecorder } from '../runtime/event-recorder.js';
import type { ReadCache } from '../runtime/read-cache.js';

export interface LeaderWiringDeps {
  core: k8s.CoreV1Api;
  namespace: string;
  hostStatus: CoalescingStatusWriter;
  events: EventRecorder;
  log: Logger;
  /** The HostHealth informer cache: prior status, and the hosts each policy monitors. */
  hostHealths: ReadCache<HostHealth>;
  policies: ReadCache<FaultPolicy>;
}

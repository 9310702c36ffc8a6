// Remediation: executes the inspector's host decisions against Nova, the Node, consumers and Events,
// recording every step in HostHealth status. The operator constructs one RemediationExecutor.
export { RemediationExecutor, type RemediationDeps } from './executor.js';
export type { HostDownDecisionInput, HostDownInput, HostDownResult } from './host-down-job.js';
export type { HostRecoveredInput, HostRecoveredResult } from './host-up-job.js';
export { openStackNovaFactory } from './nova-clients.js';
export type { DeliverFn } from './notification-queue.js';
export {
  defaultRemediationOptions,
  type RemediationOptions,
  type RemediationOptionsInput,
  type StepRetryOptions,
} from './options.js';
export type {
  EventSink,
  HostHealthStatusReader,
  HostHealthStatusWriter,
  NodeTaint,
  NodeTainter,
  NovaFactory,
  NovaHandle,
  SecretReader,
} from './ports.js';
export type {
  NotificationEntry,
  RemediationStatus,
  RemediationStatusPatch,
  RemediationView,
  StepStatus,
} from './status.js';
export { hostDownTaint, hostDownTaintKey } from './taint.js';

// Notification building, signing and single delivery, for the remediation layer.
export {
  buildAodhAlarm,
  type AodhAlarmNotification,
  type ServerNotificationInput,
  type ServerRef,
} from './aodh.js';
export {
  buildHostCloudEvent,
  buildServerCloudEvent,
  cloudEventTypes,
  type CloudEvent,
  type HostNotificationInput,
} from './cloudevents.js';
export { caAgents, checkCaBundle, maxCaBundleBytes } from './ca-agents.js';
export {
  deliver,
  targetAgents,
  type DeliveryOptions,
  type DeliveryResult,
  type DeliveryTarget,
} from './deliver.js';
export {
  notificationIdHeader,
  signatureHeader,
  webhookIdHeader,
  webhookSignatureHeader,
  webhookTimestampHeader,
} from './headers.js';
export { alarmId, notificationId, type NotificationKey, type NotificationKind } from './notification-id.js';
export {
  prepareHostNotification,
  prepareServerNotification,
  type PreparedNotification,
} from './notification.js';
export { nextRetryDelay, type RetryDelayOptions } from './retry-delay.js';
export {
  defaultToleranceSeconds,
  normalizeHmacKey,
  signBody,
  signWebhook,
  type SignedHeaders,
  verifySignature,
  verifyWebhook,
} from './signature.js';

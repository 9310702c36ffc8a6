// HTTP headers of a notification, shared by the sender and the sample consumer.

/** Stable id of the notification; the same across retries and operator restarts. */
export const notificationIdHeader = 'X-Doctor-Notification-Id';
/** Deprecated: `sha256=<hex>`, HMAC-SHA256 of the body alone; kept while consumers move to webhook-signature. */
export const signatureHeader = 'X-Doctor-Signature';
/** Standard Webhooks: the notification id (equal to X-Doctor-Notification-Id), signed. */
export const webhookIdHeader = 'webhook-id';
/** Standard Webhooks: Unix seconds of this send attempt, signed. */
export const webhookTimestampHeader = 'webhook-timestamp';
/** Standard Webhooks: `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`. */
export const webhookSignatureHeader = 'webhook-signature';
/** Structured-mode CloudEvents media type (CloudEvents 1.0 JSON format). */
export const cloudEventsContentType = 'application/cloudevents+json; charset=utf-8';
export const jsonContentType = 'application/json';

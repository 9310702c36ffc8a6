// HTTP headers of a notification, shared by the sender and the sample consumer.

/** Stable id of the notification; the same across retries and operator restarts. */
export const notificationIdHeader = 'X-Doctor-Notification-Id';
/** `sha256=<hex>`: HMAC-SHA256 of the exact body bytes with the consumer's key. */
export const signatureHeader = 'X-Doctor-Signature';
/** Structured-mode CloudEvents media type (CloudEvents 1.0 JSON format). */
export const cloudEventsContentType = 'application/cloudevents+json; charset=utf-8';
export const jsonContentType = 'application/json';

// Notification signatures. The current scheme follows Standard Webhooks: HMAC-SHA256 over
// "<webhook-id>.<webhook-timestamp>.<body>", sent as `webhook-signature: v1,<base64>`. Because the id and
// the send time are signed, a captured request cannot be replayed under another id, nor accepted once
// its timestamp is older than the consumer's tolerance. The body-only `X-Doctor-Signature: sha256=<hex>`
// is still sent for consumers written against it; it covers neither id nor time.
import { createHmac, timingSafeEqual } from 'node:crypto';

const legacyPrefix = 'sha256=';
const versionPrefix = 'v1,';

/** Consumers accept timestamps this far from their clock, either way, by default (Standard Webhooks). */
export const defaultToleranceSeconds = 300;
/** Longest webhook-signature header read: a few signatures during a key rotation, not more. */
const maxSignatureHeaderLength = 1024;

function hmac(key: Buffer | string, ...parts: (string | Buffer)[]): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

function sameBytes(given: Buffer, expected: Buffer): boolean {
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Legacy header value: `sha256=<hex>` of the body alone. */
export function signBody(body: string | Buffer, key: Buffer | string): string {
  return legacyPrefix + hmac(key, body).toString('hex');
}

/** Constant-time check of a legacy signature header against the body. */
export function verifySignature(
  body: string | Buffer,
  key: Buffer | string,
  header: string | undefined,
): boolean {
  if (header === undefined || !header.startsWith(legacyPrefix)) return false;
  const given = Buffer.from(header.slice(legacyPrefix.length), 'hex');
  return sameBytes(given, hmac(key, body));
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** Standard Webhooks headers for one send of `body` under `id` at `timestampSeconds` (Unix seconds). */
export function signWebhook(
  id: string,
  timestampSeconds: number,
  body: string | Buffer,
  key: Buffer | string,
): SignedHeaders {
  const timestamp = String(Math.floor(timestampSeconds));
  const signature = hmac(key, `${id}.${timestamp}.`, body).toString('base64');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': versionPrefix + signature };
}

export type WebhookVerdict =
  { ok: true; id: string; timestampSeconds: number } | { ok: false; reason: string };

export interface WebhookVerifyInput {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  body: string | Buffer;
  key: Buffer | string;
  nowSeconds: number;
  toleranceSeconds?: number;
}

/**
 * Checks the three Standard Webhooks headers: all present, the timestamp within the tolerance of now,
 * and one of the space-separated `v1,` signatures matching id, timestamp and body. The reason names
 * what failed, for a 401 body and a log line.
 */
export function verifyWebhook(input: WebhookVerifyInput): WebhookVerdict {
  const { id, timestamp, signature } = input;
  if (id === undefined || id === '') return { ok: false, reason: 'webhook-id is missing' };
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp))
    return { ok: false, reason: 'webhook-timestamp is missing or not Unix seconds' };
  if (signature === undefined || signature === '')
    return { ok: false, reason: 'webhook-signature is missing' };
  if (signature.length > maxSignatureHeaderLength)
    return { ok: false, reason: `webhook-signature is longer than ${maxSignatureHeaderLength} characters` };
  const tolerance = input.toleranceSeconds ?? defaultToleranceSeconds;
  const sent = Number(timestamp);
  if (Math.abs(input.nowSeconds - sent) > tolerance)
    return { ok: false, reason: `webhook-timestamp is more than ${tolerance} s from this consumer's clock` };
  const expected = hmac(input.key, `${id}.${timestamp}.`, input.body);
  const matches = signature
    .split(' ')
    .filter((part) => part.startsWith(versionPrefix))
    .some((part) => sameBytes(Buffer.from(part.slice(versionPrefix.length), 'base64'), expected));
  if (!matches) return { ok: false, reason: 'webhook-signature does not match id, timestamp and body' };
  return { ok: true, id, timestampSeconds: sent };
}

/**
 * Key bytes as read from a Secret or file, without the trailing newline that `echo key > file` and many
 * editors add: both the operator and the consumer apply this so they agree on the key.
 */
export function normalizeHmacKey(raw: Buffer | string): Buffer {
  const buffer = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  let end = buffer.length;
  while (end > 0 && (buffer[end - 1] === 0x0a || buffer[end - 1] === 0x0d)) end--;
  return buffer.subarray(0, end);
}

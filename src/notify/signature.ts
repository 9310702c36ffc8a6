// HMAC-SHA256 over the exact body bytes, sent as `X-Doctor-Signature: sha256=<hex>` (the GitHub-style
// webhook convention), so a consumer can tell our notifications from anyone else's posts.
import { createHmac, timingSafeEqual } from 'node:crypto';

const prefix = 'sha256=';

export function signBody(body: string | Buffer, key: Buffer | string): string {
  return prefix + createHmac('sha256', key).update(body).digest('hex');
}

/** Constant-time check of a signature header against the body. */
export function verifySignature(
  body: string | Buffer,
  key: Buffer | string,
  header: string | undefined,
): boolean {
  if (header === undefined || !header.startsWith(prefix)) return false;
  const given = Buffer.from(header.slice(prefix.length), 'hex');
  const expected = Buffer.from(signBody(body, key).slice(prefix.length), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
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

// @kubernetes/client-node throws ApiException with the HTTP status in `code` and the Status object as
// a JSON string in `body`. These helpers keep that knowledge in one place.
import { errorText } from '../util/error-text.js';

export function httpStatusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

export const isNotFound = (err: unknown) => httpStatusOf(err) === 404;
export const isConflict = (err: unknown) => httpStatusOf(err) === 409;
/** A one-line description for logs and Events: the API server's message when there is one. */
export function describeApiError(err: unknown): string {
  const status = httpStatusOf(err);
  const body = (err as { body?: unknown } | undefined)?.body;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: string };
      if (parsed.message) return status ? `${status}: ${parsed.message}` : parsed.message;
    } catch {
      // not JSON: fall through
    }
  }
  const message = errorText(err);
  if (status) return `${status}: ${message.split('\n')[0]}`;
  // undici's fetch says only "fetch failed"; the reason (refused, reset, TLS) is in its cause.
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  return cause instanceof Error ? `${message}: ${cause.message}` : message;
}

/** Kubernetes MicroTime (RFC 3339 with exactly six fractional digits), which Lease fields require. */
export function microTime(date: Date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

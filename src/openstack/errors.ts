// Errors of OpenStack calls that got an HTTP answer. The message carries the API's own explanation
// (Nova: {"itemNotFound": {"code": 404, "message": "..."}}, Keystone: {"error": {"message": ...}}) so a
// log line or a status condition says what the cloud refused and why.
import { parseRetryAfter } from '../util/backoff.js';
import { headerValue, HttpTransportError, type HttpResponse } from '../util/http-client.js';

export class OpenStackHttpError extends Error {
  constructor(
    readonly service: 'identity' | 'compute',
    readonly method: string,
    readonly path: string,
    readonly status: number,
    /** The fault name of the body, e.g. itemNotFound, badRequest; empty when the body had none. */
    readonly fault: string,
    readonly apiMessage: string,
    /** The wait the API asked for with Retry-After (429, 503), in ms. */
    readonly retryAfterMs?: number,
  ) {
    const detail = [fault, apiMessage].filter((part) => part !== '').join(': ');
    super(`${service} ${method} ${path}: HTTP ${status}${detail !== '' ? ` ${detail}` : ''}`);
    this.name = 'OpenStackHttpError';
  }

  /**
   * 5xx may be transient, and 429 says "later"; any other 4xx says the request itself is wrong and
   * repeating it cannot help.
   */
  get retryable(): boolean {
    return this.status >= 500 || this.status === 429;
  }
}

/** Configuration or protocol problems: missing catalog entry, unsupported microversion, bad body. */
export class OpenStackConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OpenStackConfigError';
  }
}

/** Reads the fault name and message out of a Nova or Keystone error body, tolerating anything. */
export function parseErrorBody(body: string): { fault: string; message: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { fault: '', message: body.trim().slice(0, 300) };
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const entries = Object.entries(parsed as Record<string, unknown>);
    if (entries.length === 1) {
      const [fault, inner] = entries[0] as [string, unknown];
      if (inner !== null && typeof inner === 'object') {
        const message = (inner as { message?: unknown }).message;
        if (typeof message === 'string') return { fault: fault === 'error' ? '' : fault, message };
      }
    }
  }
  return { fault: '', message: body.trim().slice(0, 300) };
}

export function isRetryableError(err: unknown): boolean {
  if (err instanceof OpenStackHttpError || err instanceof HttpTransportError) return err.retryable;
  return false;
}

/** The error of an unexpected answer: the API's explanation and, for 429 and 503, its Retry-After. */
export function httpError(
  service: 'identity' | 'compute',
  method: string,
  path: string,
  res: HttpResponse,
  nowMs: number = Date.now(),
): OpenStackHttpError {
  const { fault, message } = parseErrorBody(res.body);
  const retryAfterMs =
    res.status === 429 || res.status === 503
      ? parseRetryAfter(headerValue(res.headers, 'retry-after'), nowMs)
      : undefined;
  return new OpenStackHttpError(service, method, path, res.status, fault, message, retryAfterMs);
}

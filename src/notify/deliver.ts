// One delivery attempt of one notification: a single POST with a timeout. It never throws; the result
// says whether it worked and whether trying again may help. Retries and their persistence belong to the
// remediation layer, which keeps them in HostHealth status.
import { HttpAgents, httpRequest, HttpTransportError, type TlsOptions } from '../util/http-client.js';
import { version } from '../util/version.js';
import { notificationIdHeader, signatureHeader } from './headers.js';
import type { PreparedNotification } from './notification.js';
import { signBody, signWebhook } from './signature.js';
import { errorText } from '../util/error-text.js';

export interface DeliveryTarget {
  url: string;
  /** HMAC key; when set, the body is signed. */
  hmacKey?: Buffer;
  /** Extra headers, e.g. an Authorization header a consumer expects. */
  headers?: Record<string, string>;
  /** Keep-alive connection pool (e.g. one per target with its own CA); a shared one by default. */
  agents?: HttpAgents;
}

export interface DeliveryOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Clock of the signed send time (epoch ms); Date.now by default. */
  now?: () => number;
}

export interface DeliveryResult {
  ok: boolean;
  /** HTTP status, when the consumer answered. */
  status?: number;
  error?: string;
  /** True for timeouts, connection errors, 5xx, 408 and 429: the consumer may accept it later. */
  retryable: boolean;
  durationMs: number;
}

const userAgent = `doctor-operator/${version}`;

/** Agents for consumers behind a private CA; reuse one per target to keep connections alive. */
export function targetAgents(tls: TlsOptions): HttpAgents {
  return new HttpAgents(tls, 16);
}

export async function deliver(
  target: DeliveryTarget,
  notification: PreparedNotification,
  options: DeliveryOptions,
): Promise<DeliveryResult> {
  const started = performance.now();
  const headers: Record<string, string> = {
    ...target.headers,
    'content-type': notification.contentType,
    'user-agent': userAgent,
    [notificationIdHeader.toLowerCase()]: notification.id,
  };
  if (target.hmacKey !== undefined && target.hmacKey.length > 0) {
    // Signed per attempt: a retry carries its own send time, so it passes the consumer's time window.
    const sentAt = (options.now ?? Date.now)() / 1000;
    Object.assign(headers, signWebhook(notification.id, sentAt, notification.body, target.hmacKey));
    headers[signatureHeader.toLowerCase()] = signBody(notification.body, target.hmacKey);
  }
  try {
    const res = await httpRequest({
      method: 'POST',
      url: target.url,
      headers,
      body: notification.body,
      timeoutMs: options.timeoutMs,
      maxResponseBytes: 64 * 1024,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      ...(target.agents !== undefined ? { agents: target.agents } : {}),
    });
    const ok = res.status >= 200 && res.status < 300;
    return {
      ok,
      status: res.status,
      ...(ok
        ? {}
        : {
            error: `consumer answered HTTP ${res.status}${res.body !== '' ? `: ${res.body.slice(0, 200)}` : ''}`,
          }),
      retryable: !ok && (res.status >= 500 || res.status === 408 || res.status === 429),
      durationMs: res.durationMs,
    };
  } catch (err) {
    return {
      ok: false,
      error: errorText(err),
      retryable: err instanceof HttpTransportError ? err.retryable : false,
      durationMs: performance.now() - started,
    };
  }
}

// One small HTTP request function for every outbound call (Keystone, Nova, consumers). It uses node:http
// and node:https directly because Node's global fetch cannot take a CA bundle per request, and an
// operator must trust the cloud's private CA without touching process-wide settings.
import http from 'node:http';
import https from 'node:https';
import { errorText } from './error-text.js';

export interface TlsOptions {
  /** PEM CA bundle to trust instead of the system roots. */
  ca?: string | Buffer;
  /** false turns certificate verification off (clouds.yaml `verify: false`). */
  rejectUnauthorized?: boolean;
}

/** Keep-alive agents: reusing connections keeps a burst of parallel resets to a few round trips. */
export class HttpAgents {
  readonly http: http.Agent;
  readonly https: https.Agent;

  constructor(tls: TlsOptions = {}, maxSockets = 64) {
    this.http = new http.Agent({ keepAlive: true, maxSockets });
    this.https = new https.Agent({
      keepAlive: true,
      maxSockets,
      ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
      rejectUnauthorized: tls.rejectUnauthorized ?? true,
    });
  }

  destroy(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

export interface HttpRequestOptions {
  method: string;
  url: string | URL;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs: number;
  signal?: AbortSignal;
  agents?: HttpAgents;
  /** Responses larger than this are cut off with an error (a broken proxy must not exhaust memory). */
  maxResponseBytes?: number;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  durationMs: number;
}

export type TransportErrorKind = 'timeout' | 'aborted' | 'connection' | 'tls' | 'too-large' | 'invalid-url';

/** A request that got no complete HTTP response. `retryable` says whether trying again can help. */
export class HttpTransportError extends Error {
  constructor(
    message: string,
    readonly kind: TransportErrorKind,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'HttpTransportError';
  }

  get retryable(): boolean {
    return this.kind === 'timeout' || this.kind === 'connection';
  }
}

const defaultMaxResponseBytes = 32 * 1024 * 1024;
const sharedAgents = new HttpAgents();

function classify(err: unknown, method: string, url: URL): HttpTransportError {
  if (err instanceof HttpTransportError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const text = errorText(err);
  const where = `${method} ${url.origin}${url.pathname}`;
  const tls =
    code !== undefined &&
    (code.startsWith('CERT_') ||
      code.startsWith('ERR_TLS') ||
      code.startsWith('ERR_SSL') ||
      code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
      code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
      code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
      code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  return new HttpTransportError(`${where}: ${text}`, tls ? 'tls' : 'connection', code);
}

export function httpRequest(options: HttpRequestOptions): Promise<HttpResponse> {
  const method = options.method.toUpperCase();
  let url: URL;
  try {
    url = typeof options.url === 'string' ? new URL(options.url) : options.url;
  } catch {
    return Promise.reject(new HttpTransportError(`invalid URL ${String(options.url)}`, 'invalid-url'));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(
      new HttpTransportError(`unsupported URL scheme ${url.protocol} in ${url.href}`, 'invalid-url'),
    );
  }
  const agents = options.agents ?? sharedAgents;
  const maxBytes = options.maxResponseBytes ?? defaultMaxResponseBytes;
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  const started = performance.now();

  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    // Our own reason for destroying the request wins over the generic socket error that follows.
    let cause: HttpTransportError | undefined;
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      cleanup();
      reject(cause ?? classify(err, method, url));
    };
    const abortWith = (err: HttpTransportError): void => {
      cause ??= err;
      req.destroy(err);
    };

    const isHttps = url.protocol === 'https:';
    const send = isHttps ? https.request : http.request;
    const req = send(url, { method, headers, agent: isHttps ? agents.https : agents.http }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          abortWith(
            new HttpTransportError(`response from ${url.origin} exceeds ${maxBytes} bytes`, 'too-large'),
          );
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', fail);
      res.on('end', () => {
        if (settled) return;
        settled = true;
        cleanup();
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          durationMs: performance.now() - started,
        });
      });
    });
    req.on('error', fail);

    const timer = setTimeout(() => {
      abortWith(
        new HttpTransportError(
          `${method} ${url.origin}${url.pathname}: no response within ${options.timeoutMs} ms`,
          'timeout',
        ),
      );
    }, options.timeoutMs);
    const onAbort = (): void => {
      abortWith(new HttpTransportError(`${method} ${url.origin}${url.pathname}: aborted`, 'aborted'));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    req.end(options.body);
  });
}

/** A header's single value (node joins repeated headers into arrays for a few names only). */
export function headerValue(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

// One HTTP(S) GET with a short timeout, for readiness checks of the components.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface ProbeTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** Components serving self-signed certificates (scheduler, controller-manager). */
  insecure?: boolean;
}

export function httpGet(
  url: string,
  tls: ProbeTls = {},
  timeoutMs = 2_000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolveGet, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: 'GET',
        timeout: timeoutMs,
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        rejectUnauthorized: !tls.insecure,
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolveGet({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

// A JSON POST with a hard timeout over keep-alive connections that the monitor owns (node:http rather
// than fetch, so shutdown can close the sockets at once instead of waiting for the global pool's idle
// timeout, and a report reuses a warm connection). node:https (and TLS) is loaded only for an https URL:
// it costs the monitor a few MB of memory on every node otherwise.
//
// Both are loaded with process.getBuiltinModule, not `import`: an ES import of a builtin builds its
// namespace by reading every export, and node:http's lazy ones (WebSocket, fetch's classes) then pull in
// undici, TLS, crypto, HTTP/2 and zlib, some 14 MB of memory the monitor never uses.
import type * as Http from 'node:http';
import type * as Https from 'node:https';

const http = process.getBuiltinModule('node:http');

export interface PostResult {
  status: number;
  body: string;
}

const maxResponseBytes = 64 * 1024;

export class JsonPoster {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  private https: { module: typeof Https; agent: Https.Agent } | undefined;

  async post(
    url: string,
    body: string,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<PostResult> {
    const target = new URL(url);
    let request: typeof http.request = http.request;
    let agent: Http.Agent = this.httpAgent;
    if (target.protocol === 'https:') {
      if (!this.https) {
        const module = process.getBuiltinModule('node:https');
        this.https = { module, agent: new module.Agent({ keepAlive: true, maxSockets: 2 }) };
      }
      request = this.https.module.request;
      agent = this.https.agent;
    }
    return new Promise((resolve, reject) => {
      const req = request(
        target,
        {
          method: 'POST',
          agent,
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
          signal: AbortSignal.timeout(timeoutMs),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size <= maxResponseBytes) chunks.push(chunk);
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', (err) => {
        reject(err.name === 'AbortError' ? new Error(`no response within ${timeoutMs} ms`) : err);
      });
      req.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.https?.agent.destroy();
  }
}

// An inspector stand-in for monitor tests: an HTTP server that accepts Doctor event lists on /events,
// records every request with its arrival time, and lets a test wait (bounded) for a matching event.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { HostEvent } from '../../src/api/events.js';

export interface ReceivedRequest {
  /** Arrival time, epoch milliseconds with a fraction. */
  at: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
}

export interface ReceivedEvent {
  at: number;
  event: HostEvent;
  authorization: string | undefined;
}

const maxBody = 1024 * 1024;

export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

export class EventReceiver {
  readonly requests: ReceivedRequest[] = [];
  readonly received: ReceivedEvent[] = [];
  /** Status returned to every request; set to 503 to simulate an inspector that refuses reports. */
  status = 200;
  private waiters: Array<() => void> = [];

  private readonly server: Server;
  private address = '';

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= maxBody) chunks.push(chunk);
      });
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        this.record({
          at: epochMs(),
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          raw,
        });
        res.writeHead(this.status, { 'content-type': 'application/json' }).end('{}');
      });
    });
  }

  /** The URL monitors should post to. */
  get url(): string {
    return this.address;
  }

  static async start(host: string, port = 0): Promise<EventReceiver> {
    const receiver = new EventReceiver();
    await new Promise<void>((resolve, reject) => {
      receiver.server.once('error', reject);
      receiver.server.listen(port, host, () => resolve());
    });
    receiver.address = `http://${host}:${(receiver.server.address() as AddressInfo).port}/events`;
    return receiver;
  }

  private record(request: ReceivedRequest): void {
    this.requests.push(request);
    if (this.status >= 200 && this.status < 300) {
      try {
        const body = JSON.parse(request.raw) as unknown;
        for (const event of Array.isArray(body) ? (body as HostEvent[]) : []) {
          this.received.push({ at: request.at, event, authorization: request.headers.authorization });
        }
      } catch {
        // Not JSON: kept in `requests` for the test to inspect.
      }
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Events accepted so far that match. */
  find(match: (e: HostEvent) => boolean): ReceivedEvent[] {
    return this.received.filter((r) => match(r.event));
  }

  /** Resolves with the first accepted event (from index `from` on) that matches, or rejects after timeoutMs. */
  async waitFor(match: (e: HostEvent) => boolean, timeoutMs: number, from = 0): Promise<ReceivedEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.slice(from).find((r) => match(r.event));
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

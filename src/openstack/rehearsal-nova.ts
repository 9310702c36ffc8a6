// A Nova that lives in memory, for rehearsing the fault path: the real NovaClient (URLs, headers, bodies,
// microversion, retries, parsing) over a transport that answers the calls remediation makes without
// leaving the process. Whatever it is asked, nothing reaches a cloud; it counts the writes it answered.
import type { HttpRequestOptions, HttpResponse } from '../util/http-client.js';
import type { Token } from './keystone-body.js';
import { NovaClient } from './nova.js';

const base = 'http://nova.rehearsal.invalid/v2.1';
const versionDocument = { version: { id: 'v2.1', status: 'CURRENT', version: '2.96', min_version: '2.1' } };

function json(status: number, body: unknown): HttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    durationMs: 0,
  };
}

export class RehearsalNova {
  readonly client: NovaClient;
  /** PUT and POST requests answered: what a real Nova would have changed. */
  writes = 0;
  private readonly hosts: string[];

  /** `serversByHost`: the nova-compute hosts and how many servers each runs. */
  constructor(private readonly serversByHost: Readonly<Record<string, number>>) {
    this.hosts = Object.keys(serversByHost);
    const token: Token = {
      value: 'rehearsal',
      expiresAtMs: Number.MAX_SAFE_INTEGER,
      receivedAtMs: 0,
      catalog: [{ type: 'compute', endpoints: [{ interface: 'public', url: base }] }],
      roles: ['admin'],
    };
    this.client = new NovaClient({
      session: { getToken: () => Promise.resolve(token), invalidate: () => undefined },
      // Answered on a later turn of the event loop, as a network answer would be.
      transport: (request) => new Promise((resolve) => setImmediate(() => resolve(this.answer(request)))),
    });
  }

  private answer(request: HttpRequestOptions): HttpResponse {
    const url = new URL(request.url);
    const path = url.pathname.slice(new URL(base).pathname.length);
    const host = url.searchParams.get('host');
    const hosts = host === null ? this.hosts : this.hosts.filter((h) => h === host);
    if (request.method === 'GET' && path === '/') return json(200, versionDocument);
    if (request.method === 'GET' && path === '/os-services')
      return json(200, { services: hosts.map((h) => service(h)) });
    if (request.method === 'GET' && path === '/servers/detail')
      return json(200, { servers: hosts.flatMap((h) => this.servers(h)) });
    if (request.method === 'PUT' && path.startsWith('/os-services/')) {
      this.writes++;
      return json(200, { service: service(path.slice('/os-services/'.length)) });
    }
    if (request.method === 'POST' && /^\/servers\/[^/]+\/action$/.test(path)) {
      this.writes++;
      return { status: 202, headers: {}, body: '', durationMs: 0 };
    }
    return json(404, { itemNotFound: { code: 404, message: `no ${request.method} ${path} here` } });
  }

  private servers(host: string): Record<string, string>[] {
    return Array.from({ length: this.serversByHost[host] ?? 0 }, (_, i) => ({
      id: `${host}-server-${i}`,
      name: `${host}-server-${i}`,
      status: 'ACTIVE',
      tenant_id: 'rehearsal',
      'OS-EXT-SRV-ATTR:host': host,
    }));
  }
}

/** The host's nova-compute service; its id is the host name (ids are opaque to the client). */
function service(host: string): Record<string, unknown> {
  return { id: host, host, binary: 'nova-compute', status: 'enabled', state: 'up', forced_down: false };
}

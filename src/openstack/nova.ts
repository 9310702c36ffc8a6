// Nova compute API client: the calls remediation needs, each with a timeout, bounded retries of
// 5xx and connection errors, one re-authentication on 401 and one re-negotiation on 406.
import type { EndpointInterface } from './clouds.js';
import { keepAliveTimeoutMs } from './connection-keeper.js';
import { httpError, isRetryableError, OpenStackConfigError, OpenStackHttpError } from './errors.js';
import { type HttpAgents, type HttpResponse, httpRequest } from '../util/http-client.js';
import type { CallObserver, KeystoneSession } from './keystone.js';
import { selectEndpoint } from './keystone-body.js';
import {
  compareMicroversions,
  defaultWantedMaximum,
  formatMicroversion,
  liveMigrateArgs,
  type Microversion,
  negotiate,
  parseMicroversion,
  parseVersionDocument,
  serviceUuidMinimum,
  type VersionRange,
  versionDocumentUrl,
} from './microversion.js';
import type {
  ComputeService,
  ForceDownResult,
  KnownService,
  MigrationRecord,
  NovaApi,
  NovaMaintenanceApi,
  ServerSummary,
} from './nova-api.js';
import { defaultRetryPolicy, type RetryPolicy, withRetry } from './retry.js';
import { errorText } from '../util/error-text.js';

/** What the client needs of a Keystone session. */
export type TokenSource = Pick<KeystoneSession, 'getToken' | 'invalidate'>;

export interface NovaClientOptions {
  session: TokenSource;
  /** Sends one request: the HTTP client by default; a rehearsal answers in memory instead. */
  transport?: typeof httpRequest;
  interface?: EndpointInterface;
  region?: string;
  agents?: HttpAgents;
  /** Per HTTP call. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** Highest microversion to use, e.g. "2.96". */
  maxMicroversion?: string;
  /** `limit` asked for when listing servers; Nova may return fewer per page (osapi_max_limit). */
  pageSize?: number;
  /** Upper bound on pages followed, so a misbehaving API cannot keep us paging forever. */
  maxPages?: number;
  onCall?: CallObserver;
}

/** A host without a nova-compute service: the node label or the Nova host name is wrong. */
export class NovaServiceNotFoundError extends Error {
  constructor(readonly host: string) {
    super(`Nova has no nova-compute service on host "${host}"`);
    this.name = 'NovaServiceNotFoundError';
  }
}

const computeBinary = 'nova-compute';
// migrate takes a host from 2.56.
const migrateHostMinimum: Microversion = { major: 2, minor: 56 };
// Nova's schema limit for disabled_reason.
const maxReasonLength = 255;

interface RawServer {
  id?: unknown;
  name?: unknown;
  status?: unknown;
  tenant_id?: unknown;
  'OS-EXT-SRV-ATTR:host'?: unknown;
}

interface RawService {
  id?: unknown;
  host?: unknown;
  binary?: unknown;
  status?: unknown;
  state?: unknown;
  forced_down?: unknown;
  disabled_reason?: unknown;
}

function toComputeService(raw: RawService): ComputeService {
  return {
    id: String(raw.id),
    host: String(raw.host),
    binary: String(raw.binary),
    status: String(raw.status),
    state: String(raw.state),
    forcedDown: raw.forced_down === true,
    ...(typeof raw.disabled_reason === 'string' ? { disabledReason: raw.disabled_reason } : {}),
  };
}

/** A string or number field as text; anything else (absent, null, objects) as "". */
function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

function parseJson<T>(res: HttpResponse, what: string): T {
  try {
    return JSON.parse(res.body) as T;
  } catch {
    throw new OpenStackConfigError(`Nova answered ${what} with a body that is not JSON`);
  }
}

export class NovaClient implements NovaApi, NovaMaintenanceApi {
  private negotiation: Promise<Microversion> | undefined;
  private readonly wantedMax: Microversion;

  constructor(private readonly options: NovaClientOptions) {
    const wanted = options.maxMicroversion ?? formatMicroversion(defaultWantedMaximum);
    const parsed = parseMicroversion(wanted);
    if (parsed === undefined) throw new OpenStackConfigError(`maxMicroversion "${wanted}" is not like 2.96`);
    this.wantedMax = parsed;
  }

  /** The negotiated microversion, discovering it on first use. */
  async microversion(): Promise<string> {
    return formatMicroversion(await this.negotiated());
  }

  /**
   * Forces the host's nova-compute down and disables it. With the service id already known (2.53+) this
   * is a single PUT; a 404 means the id went stale (service re-registered), so it is looked up again.
   */
  async forceDown(host: string, reason: string, known: KnownService = {}): Promise<ForceDownResult> {
    const disabledReason = reason.slice(0, maxReasonLength);
    const body: Record<string, unknown> = { forced_down: true, status: 'disabled' };
    if (disabledReason !== '') body.disabled_reason = disabledReason;
    return this.withMicroversion(async (version) => {
      if (compareMicroversions(version, serviceUuidMinimum) >= 0)
        return this.updateService(host, version, body, known.serviceId);
      // 2.11-2.52: force-down and disable are separate calls addressed by host and binary.
      const forced = this.request('PUT', '/os-services/force-down', version, {
        body: { host, binary: computeBinary, forced_down: true },
        expect: [200],
      });
      const disabled =
        disabledReason !== ''
          ? this.request('PUT', '/os-services/disable-log-reason', version, {
              body: { host, binary: computeBinary, disabled_reason: disabledReason },
              expect: [200],
            })
          : this.request('PUT', '/os-services/disable', version, {
              body: { host, binary: computeBinary },
              expect: [200],
            });
      await Promise.all([forced, disabled]);
      return { host, microversion: formatMicroversion(version), api: 'legacy' };
    });
  }

  async unforceDown(host: string, known: KnownService = {}): Promise<ForceDownResult> {
    return this.withMicroversion(async (version) => {
      if (compareMicroversions(version, serviceUuidMinimum) >= 0)
        return this.updateService(host, version, { forced_down: false, status: 'enabled' }, known.serviceId);
      await Promise.all([
        this.request('PUT', '/os-services/force-down', version, {
          body: { host, binary: computeBinary, forced_down: false },
          expect: [200],
        }),
        this.request('PUT', '/os-services/enable', version, {
          body: { host, binary: computeBinary },
          expect: [200],
        }),
      ]);
      return { host, microversion: formatMicroversion(version), api: 'legacy' };
    });
  }

  /** Disables the service with a reason and without forcing it down: a healthy host taking no new servers. */
  async disableService(host: string, reason: string, known: KnownService = {}): Promise<ForceDownResult> {
    const disabledReason = reason.slice(0, maxReasonLength);
    return this.withMicroversion(async (version) => {
      const body: Record<string, unknown> = { status: 'disabled' };
      if (disabledReason !== '') body.disabled_reason = disabledReason;
      if (compareMicroversions(version, serviceUuidMinimum) >= 0)
        return this.updateService(host, version, body, known.serviceId);
      await this.request(
        'PUT',
        disabledReason !== '' ? '/os-services/disable-log-reason' : '/os-services/disable',
        version,
        {
          body: {
            host,
            binary: computeBinary,
            ...(disabledReason !== '' ? { disabled_reason: disabledReason } : {}),
          },
          expect: [200],
        },
      );
      return { host, microversion: formatMicroversion(version), api: 'legacy' };
    });
  }

  async enableService(host: string, known: KnownService = {}): Promise<ForceDownResult> {
    return this.withMicroversion(async (version) => {
      if (compareMicroversions(version, serviceUuidMinimum) >= 0)
        return this.updateService(host, version, { status: 'enabled' }, known.serviceId);
      await this.request('PUT', '/os-services/enable', version, {
        body: { host, binary: computeBinary },
        expect: [200],
      });
      return { host, microversion: formatMicroversion(version), api: 'legacy' };
    });
  }

  /** os-migrateLive: block_migration "auto" from 2.25, before that false with disk_over_commit false. */
  async liveMigrateServer(id: string, host?: string): Promise<void> {
    await this.withMicroversion((version) => {
      return this.request('POST', `/servers/${encodeURIComponent(id)}/action`, version, {
        body: { 'os-migrateLive': liveMigrateArgs(version, host) },
        expect: [202],
      });
    });
  }

  /** migrate: a target host can be named from 2.56 only; below, the scheduler always picks. */
  async migrateServer(id: string, host?: string): Promise<void> {
    await this.withMicroversion((version) => {
      const args =
        host !== undefined && compareMicroversions(version, migrateHostMinimum) >= 0 ? { host } : null;
      return this.request('POST', `/servers/${encodeURIComponent(id)}/action`, version, {
        body: { migrate: args },
        expect: [202],
      });
    });
  }

  async confirmResize(id: string): Promise<void> {
    await this.withMicroversion((version) =>
      this.request('POST', `/servers/${encodeURIComponent(id)}/action`, version, {
        body: { confirmResize: null },
        expect: [204],
      }),
    );
  }

  async listServerMigrations(id: string): Promise<MigrationRecord[]> {
    return this.withMicroversion(async (version) => {
      const res = await this.request('GET', '/os-migrations', version, {
        query: { instance_uuid: id },
        expect: [200],
      });
      const body = parseJson<{ migrations?: Record<string, unknown>[] }>(res, 'GET /os-migrations');
      return (body.migrations ?? [])
        .filter((m) => m.instance_uuid === id)
        .map((m) => ({
          id: typeof m.uuid === 'string' ? m.uuid : text(m.id),
          serverId: id,
          sourceHost: text(m.source_compute),
          destHost: text(m.dest_compute),
          status: text(m.status),
          type: text(m.migration_type),
          createdAt: text(m.created_at),
        }));
    });
  }

  /** 2.53+: PUT /os-services/{uuid}, by the known id when there is one, else (or on 404) looked up. */
  private async updateService(
    host: string,
    version: Microversion,
    body: Record<string, unknown>,
    knownId: string | undefined,
  ): Promise<ForceDownResult> {
    const put = (id: string) =>
      this.request('PUT', `/os-services/${encodeURIComponent(id)}`, version, { body, expect: [200] });
    const done = (id: string): ForceDownResult => ({
      host,
      serviceId: id,
      microversion: formatMicroversion(version),
      api: 'uuid',
    });
    if (knownId !== undefined) {
      try {
        await put(knownId);
        return done(knownId);
      } catch (err) {
        if (!(err instanceof OpenStackHttpError) || err.status !== 404) throw err;
      }
    }
    const service = await this.findComputeService(host, version);
    await put(service.id);
    return done(service.id);
  }

  /** nova-compute services, optionally only the one on `host`. */
  async listComputeServices(host?: string): Promise<ComputeService[]> {
    return this.withMicroversion(async (version) => {
      const query: Record<string, string> = { binary: computeBinary };
      if (host !== undefined) query.host = host;
      const res = await this.request('GET', '/os-services', version, { query, expect: [200] });
      const body = parseJson<{ services?: RawService[] }>(res, 'GET /os-services');
      return (body.services ?? []).map(toComputeService);
    });
  }

  async listServersOnHost(host: string): Promise<ServerSummary[]> {
    const pageSize = this.options.pageSize ?? 1000;
    const maxPages = this.options.maxPages ?? 10_000;
    return this.withMicroversion(async (version) => {
      const servers: ServerSummary[] = [];
      const seenMarkers = new Set<string>();
      let marker: string | undefined;
      for (let page = 0; page < maxPages; page++) {
        const query: Record<string, string> = { all_tenants: '1', host, limit: String(pageSize) };
        if (marker !== undefined) query.marker = marker;
        const res = await this.request('GET', '/servers/detail', version, { query, expect: [200] });
        const body = parseJson<{
          servers?: RawServer[];
          servers_links?: { rel?: unknown; href?: unknown }[];
        }>(res, 'GET /servers/detail');
        const pageServers = body.servers ?? [];
        for (const raw of pageServers) servers.push(this.toServerSummary(raw, host));
        const next = body.servers_links?.find((link) => link.rel === 'next');
        if (next === undefined || pageServers.length === 0) return servers;
        // Take only the marker from the next link: its host part is whatever Nova believes its public URL
        // is, which behind a proxy may not be the endpoint we were told to use.
        const href = typeof next.href === 'string' ? next.href : '';
        const nextMarker =
          new URL(href, 'http://placeholder/').searchParams.get('marker') ?? servers.at(-1)?.id;
        if (nextMarker === undefined || seenMarkers.has(nextMarker)) {
          throw new OpenStackConfigError(`Nova paging of servers on ${host} repeats marker ${nextMarker}`);
        }
        seenMarkers.add(nextMarker);
        marker = nextMarker;
      }
      throw new OpenStackConfigError(`more than ${maxPages} pages of servers on host ${host}`);
    });
  }

  async resetServerToError(id: string): Promise<void> {
    await this.withMicroversion((version) =>
      this.request('POST', `/servers/${encodeURIComponent(id)}/action`, version, {
        body: { 'os-resetState': { state: 'error' } },
        expect: [202],
      }),
    );
  }

  async getServer(id: string): Promise<ServerSummary & { vmState?: string }> {
    return this.withMicroversion(async (version) => {
      const res = await this.request('GET', `/servers/${encodeURIComponent(id)}`, version, { expect: [200] });
      const body = parseJson<{ server?: RawServer & { 'OS-EXT-STS:vm_state'?: unknown } }>(
        res,
        'GET /servers/{id}',
      );
      const raw = body.server ?? {};
      const vmState = raw['OS-EXT-STS:vm_state'];
      return {
        ...this.toServerSummary(raw, undefined),
        ...(typeof vmState === 'string' ? { vmState } : {}),
      };
    });
  }

  private toServerSummary(raw: RawServer, expectedHost: string | undefined): ServerSummary {
    const host = raw['OS-EXT-SRV-ATTR:host'];
    if (expectedHost !== undefined && typeof host !== 'string') {
      // Nova drops admin-only filters for non-admin tokens and would list the whole project instead.
      throw new OpenStackConfigError(
        'Nova did not return OS-EXT-SRV-ATTR:host: the credentials lack the admin role needed to list servers by host',
      );
    }
    if (expectedHost !== undefined && host !== expectedHost) {
      throw new OpenStackConfigError(
        `Nova returned server ${String(raw.id)} on host ${String(host)} for host ${expectedHost}`,
      );
    }
    return {
      id: String(raw.id),
      name: typeof raw.name === 'string' ? raw.name : '',
      status: typeof raw.status === 'string' ? raw.status : '',
      projectId: typeof raw.tenant_id === 'string' ? raw.tenant_id : '',
      host: typeof host === 'string' ? host : '',
    };
  }

  private async findComputeService(host: string, version: Microversion): Promise<ComputeService> {
    const res = await this.request('GET', '/os-services', version, {
      query: { binary: computeBinary, host },
      expect: [200],
    });
    const body = parseJson<{ services?: RawService[] }>(res, 'GET /os-services');
    const match = (body.services ?? []).find((s) => s.host === host && s.binary === computeBinary);
    if (match === undefined) throw new NovaServiceNotFoundError(host);
    return toComputeService(match);
  }

  private async computeEndpoint(): Promise<string> {
    const token = await this.options.session.getToken();
    return selectEndpoint(token.catalog, 'compute', this.options.interface ?? 'public', this.options.region);
  }

  private negotiated(): Promise<Microversion> {
    if (this.negotiation === undefined) {
      const attempt = this.discover();
      this.negotiation = attempt;
      // A failed discovery is retried on the next call instead of being cached forever.
      attempt.catch(() => {
        if (this.negotiation === attempt) this.negotiation = undefined;
      });
    }
    return this.negotiation;
  }

  private async discover(): Promise<Microversion> {
    return negotiate(await this.versionRange(), this.wantedMax);
  }

  /** The compute endpoint the client uses (catalog, interface, region). */
  endpoint(): Promise<string> {
    return this.computeEndpoint();
  }

  /** The microversion range the cloud offers (undefined: no microversions, v2.0 only). */
  async versionRange(): Promise<VersionRange | undefined> {
    const url = versionDocumentUrl(await this.computeEndpoint());
    const path = new URL(url).pathname;
    const res = await withRetry(
      async (attempt) => {
        const response = await this.send('GET', url, path, attempt, { accept: 'application/json' });
        if (response.status !== 200) {
          throw httpError('compute', 'GET', path, response);
        }
        return response;
      },
      { policy: this.options.retry ?? defaultRetryPolicy, isRetryable: isRetryableError },
    );
    return parseVersionDocument(res.body);
  }

  /**
   * One GET of the version document over the pooled connection, to keep it open (connection-keeper.ts):
   * no token, no retry. Resolves with the idle timeout the server announced (Keep-Alive header), if any.
   */
  async keepConnectionOpen(): Promise<number | undefined> {
    const url = versionDocumentUrl(await this.computeEndpoint());
    const res = await this.send('GET', url, new URL(url).pathname, 1, { accept: 'application/json' });
    if (res.status !== 200 || /\bclose\b/i.test(String(res.headers.connection ?? ''))) return undefined;
    return keepAliveTimeoutMs(res.headers['keep-alive']);
  }

  /**
   * The status of one call at the negotiated microversion, for permission probes: a 4xx is an answer
   * (403 refused by policy, 404 allowed but nothing there), not an error. 5xx and 429 are retried.
   */
  async probe(method: string, path: string, body?: unknown): Promise<{ status: number; message: string }> {
    return this.withMicroversion(async (version) => {
      try {
        const res = await this.request(method, path, version, {
          ...(body !== undefined ? { body } : {}),
          expect: [200, 202, 204],
        });
        return { status: res.status, message: '' };
      } catch (err) {
        if (
          err instanceof OpenStackHttpError &&
          err.status >= 400 &&
          err.status < 500 &&
          !err.retryable &&
          err.status !== 406
        )
          return { status: err.status, message: err.apiMessage };
        throw err;
      }
    });
  }

  /** Runs `op` at the negotiated version; on 406 (the cloud changed under us) negotiates again once. */
  private async withMicroversion<T>(op: (version: Microversion) => Promise<T>): Promise<T> {
    const version = await this.negotiated();
    try {
      return await op(version);
    } catch (err) {
      if (!(err instanceof OpenStackHttpError) || err.status !== 406) throw err;
      this.negotiation = undefined;
      return op(await this.negotiated());
    }
  }

  private async send(
    method: string,
    url: string,
    path: string,
    attempt: number,
    headers: Record<string, string>,
    body?: string,
  ): Promise<HttpResponse> {
    const started = performance.now();
    try {
      const res = await (this.options.transport ?? httpRequest)({
        method,
        url,
        headers,
        ...(body !== undefined ? { body } : {}),
        timeoutMs: this.options.timeoutMs ?? 10_000,
        ...(this.options.agents !== undefined ? { agents: this.options.agents } : {}),
      });
      this.options.onCall?.({
        service: 'compute',
        method,
        path,
        status: res.status,
        durationMs: res.durationMs,
        attempt,
      });
      return res;
    } catch (err) {
      this.options.onCall?.({
        service: 'compute',
        method,
        path,
        durationMs: performance.now() - started,
        attempt,
        error: errorText(err),
      });
      throw err;
    }
  }

  private async request(
    method: string,
    path: string,
    version: Microversion,
    options: { query?: Record<string, string>; body?: unknown; expect: number[] },
  ): Promise<HttpResponse> {
    const versionText = formatMicroversion(version);
    const body = options.body !== undefined ? JSON.stringify(options.body) : undefined;
    let reauthenticated = false;
    return withRetry(
      async (attempt) => {
        // At most two passes: the second only after a 401, with a fresh token.
        for (;;) {
          const token = await this.options.session.getToken();
          const base = selectEndpoint(
            token.catalog,
            'compute',
            this.options.interface ?? 'public',
            this.options.region,
          );
          const url = new URL(`${base}${path}`);
          for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
          const headers: Record<string, string> = {
            accept: 'application/json',
            'x-auth-token': token.value,
            'openstack-api-version': `compute ${versionText}`,
            'x-openstack-nova-api-version': versionText,
          };
          if (body !== undefined) headers['content-type'] = 'application/json';
          const res = await this.send(method, url.href, path, attempt, headers, body);
          if (res.status === 401 && !reauthenticated) {
            reauthenticated = true;
            this.options.session.invalidate(token.value);
            continue;
          }
          if (options.expect.includes(res.status)) return res;
          throw httpError('compute', method, path, res);
        }
      },
      { policy: this.options.retry ?? defaultRetryPolicy, isRetryable: isRetryableError },
    );
  }
}

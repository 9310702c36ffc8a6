// Options of the simulator and the default seed: an admin user, a member user, an application
// credential, two tenant projects and compute hosts with servers spread over those projects.
import { hexId, SimState } from './state.js';

export interface FailureInjection {
  /** Fail call number k (1-based, counted over eligible calls since this injection was set) when k % everyNth === 0. */
  everyNth?: number;
  /** Fail the first N eligible calls only (counted from when this injection was set). */
  firstCalls?: number;
  /** Fail this fraction of eligible calls, drawn from a PRNG seeded with `seed`. */
  ratio?: number;
  seed?: number;
  /** Status of an injected failure (default 503); ignored in mode "reset". */
  status?: number;
  /**
   * Retry-After header of an injected 429 or 503 (api-ref: Nova and Keystone may send it on both),
   * delay-seconds ("2") or an HTTP date; absent by default.
   */
  retryAfter?: string;
  /** "status": answer with `status`; "reset": drop the connection without an answer. */
  mode?: 'status' | 'reset';
  /** Which calls may fail: Nova only (default) or Keystone too. */
  scope?: 'nova' | 'all';
  /** Only paths matching this may fail. */
  pathPattern?: RegExp;
}

export interface SimOptions {
  port?: number;
  host?: string;
  /** Microversion range, e.g. 2.1..2.96, or 2.11..2.52 for a pre-2.53 cloud. */
  minVersion?: string;
  maxVersion?: string;
  region?: string;
  /** Compute host names (each gets a nova-compute service). */
  hosts?: string[];
  serversPerHost?: number;
  /** Tenant projects that own the seeded servers, round robin. */
  tenantProjects?: string[];
  tokenTtlMs?: number;
  /** Nova's osapi_max_limit: the largest page it returns. */
  maxPageSize?: number;
  latencyMs?: number;
  failures?: FailureInjection;
  /** Largest accepted request body. */
  maxBodyBytes?: number;
  /** How long a live or cold migration takes before it completes (default 200 ms). */
  migrationMs?: number;
  /** Servers (ids or names) whose migrations fail: the server stays ACTIVE on its host, the migration is error. */
  failMigrations?: string[];
  /** PEM key and certificate: serve https instead of http. */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

export interface ResolvedOptions {
  minVersion: string;
  maxVersion: string;
  region: string;
  tokenTtlMs: number;
  maxPageSize: number;
  latencyMs: number;
  failures: FailureInjection | undefined;
  maxBodyBytes: number;
  migrationMs: number;
  failMigrations: string[];
}

/** Credentials of the default seed, for tests and the printed clouds.yaml. */
export const simCredentials = {
  admin: { username: 'admin', password: 'admin-secret', project: 'admin', domain: 'Default' },
  member: { username: 'demo', password: 'demo-secret', project: 'tenant-a', domain: 'Default' },
  applicationCredential: {
    id: 'doctor-app-cred',
    name: 'doctor',
    secret: 'doctor-app-secret',
    user: 'admin',
  },
} as const;

export function resolveOptions(options: SimOptions): ResolvedOptions {
  return {
    minVersion: options.minVersion ?? '2.1',
    maxVersion: options.maxVersion ?? '2.96',
    region: options.region ?? 'RegionOne',
    tokenTtlMs: options.tokenTtlMs ?? 3_600_000,
    maxPageSize: options.maxPageSize ?? 1000,
    latencyMs: options.latencyMs ?? 0,
    failures: options.failures,
    maxBodyBytes: options.maxBodyBytes ?? 64 * 1024,
    migrationMs: options.migrationMs ?? 200,
    failMigrations: options.failMigrations ?? [],
  };
}

export function seedState(options: SimOptions): SimState {
  const state = new SimState();
  const { admin, member, applicationCredential } = simCredentials;
  state.addProject(admin.project);
  const tenants = (options.tenantProjects ?? ['tenant-a', 'tenant-b']).map((name) => state.addProject(name));
  state.users.push(
    {
      id: hexId(`user:${admin.username}`),
      name: admin.username,
      domain: admin.domain,
      password: admin.password,
      project: admin.project,
      roles: ['admin', 'member', 'reader'],
    },
    {
      id: hexId(`user:${member.username}`),
      name: member.username,
      domain: member.domain,
      password: member.password,
      project: member.project,
      roles: ['member', 'reader'],
    },
  );
  state.applicationCredentials.push({ ...applicationCredential });

  state.addService('controller', 'nova-scheduler');
  state.addService('controller', 'nova-conductor');
  const hosts = options.hosts ?? ['compute-0', 'compute-1'];
  const perHost = options.serversPerHost ?? 2;
  let n = 0;
  for (const host of hosts) {
    state.addHost(host);
    for (let i = 0; i < perHost; i++) {
      const tenant = tenants[n++ % tenants.length];
      if (tenant !== undefined) state.addServer(host, tenant.id);
    }
  }
  return state;
}

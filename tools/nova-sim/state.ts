// In-memory state of the simulated cloud: projects, credentials, tokens, compute services and servers.
// Tests read it directly to assert what the client changed.
import { createHash, randomBytes, randomUUID } from 'node:crypto';

export interface SimProject {
  id: string;
  name: string;
  domain: string;
}

export interface SimUser {
  id: string;
  name: string;
  domain: string;
  password: string;
  /** Project the user has a role on, by name. */
  project: string;
  roles: string[];
}

export interface SimApplicationCredential {
  id: string;
  name: string;
  secret: string;
  /** Owning user, by name. */
  user: string;
}

export interface SimToken {
  value: string;
  userId: string;
  projectId?: string;
  roles: string[];
  issuedAtMs: number;
  expiresAtMs: number;
  methods: string[];
}

export interface SimService {
  uuid: string;
  intId: number;
  host: string;
  binary: string;
  status: 'enabled' | 'disabled';
  disabledReason: string | null;
  forcedDown: boolean;
  updatedAt: string;
}

export interface SimServer {
  id: string;
  name: string;
  tenantId: string;
  userId: string;
  host: string;
  status: string;
  vmState: string;
  /** OS-EXT-STS:task_state: null when idle, "migrating" during a live migration, "resize_*" when cold. */
  taskState: string | null;
  created: string;
}

/** One row of os-migrations: a live or cold migration of one server. */
export interface SimMigration {
  id: number;
  uuid: string;
  serverId: string;
  projectId: string;
  userId: string;
  sourceHost: string;
  destHost: string;
  migrationType: 'live-migration' | 'migration';
  /** Live: queued, preparing, running, completed or error. Cold: migrating, finished, confirmed or error. */
  status: string;
  createdAt: string;
  updatedAt: string;
}

/** Stable 32-hex ids, as Keystone uses, derived from a name so seeds are reproducible. */
export function hexId(seed: string): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, 32);
}

export class SimState {
  readonly projects = new Map<string, SimProject>();
  readonly users: SimUser[] = [];
  readonly applicationCredentials: SimApplicationCredential[] = [];
  readonly tokens = new Map<string, SimToken>();
  readonly services: SimService[] = [];
  /** Insertion order is the listing order. */
  readonly servers = new Map<string, SimServer>();
  readonly migrations: SimMigration[] = [];
  /** Pending migration completions, cleared when the simulator stops. */
  readonly timers = new Set<NodeJS.Timeout>();
  private nextServiceId = 1;
  private nextMigrationId = 1;
  private serverCount = 0;

  addProject(name: string, domain = 'Default'): SimProject {
    const project = { id: hexId(`project:${name}`), name, domain };
    this.projects.set(project.id, project);
    return project;
  }

  projectByName(name: string): SimProject | undefined {
    return [...this.projects.values()].find((p) => p.name === name);
  }

  addService(host: string, binary: string): SimService {
    const service: SimService = {
      uuid: randomUUID(),
      intId: this.nextServiceId++,
      host,
      binary,
      status: 'enabled',
      disabledReason: null,
      forcedDown: false,
      updatedAt: new Date().toISOString(),
    };
    this.services.push(service);
    return service;
  }

  /** Adds a compute host: a nova-compute service named after it. */
  addHost(host: string): SimService {
    return this.addService(host, 'nova-compute');
  }

  computeService(host: string): SimService | undefined {
    return this.services.find((s) => s.host === host && s.binary === 'nova-compute');
  }

  addServer(host: string, tenantId: string, name?: string): SimServer {
    this.serverCount++;
    const server: SimServer = {
      id: randomUUID(),
      name: name ?? `vm-${host}-${this.serverCount}`,
      tenantId,
      userId: hexId(`user-of:${tenantId}`),
      host,
      status: 'ACTIVE',
      vmState: 'active',
      taskState: null,
      created: new Date().toISOString(),
    };
    this.servers.set(server.id, server);
    return server;
  }

  serversOnHost(host: string): SimServer[] {
    return [...this.servers.values()].filter((s) => s.host === host);
  }

  addMigration(
    server: SimServer,
    destHost: string,
    migrationType: SimMigration['migrationType'],
    status: string,
  ): SimMigration {
    const now = new Date().toISOString();
    const migration: SimMigration = {
      id: this.nextMigrationId++,
      uuid: randomUUID(),
      serverId: server.id,
      projectId: server.tenantId,
      userId: server.userId,
      sourceHost: server.host,
      destHost,
      migrationType,
      status,
      createdAt: now,
      updatedAt: now,
    };
    this.migrations.push(migration);
    return migration;
  }

  /** Runs `fn` after `ms` unless the simulator stops first. */
  later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  issueToken(
    userId: string,
    projectId: string | undefined,
    roles: string[],
    ttlMs: number,
    methods: string[],
  ): SimToken {
    const now = Date.now();
    const token: SimToken = {
      value: `gAAAA${randomBytes(24).toString('hex')}`,
      userId,
      ...(projectId !== undefined ? { projectId } : {}),
      roles,
      issuedAtMs: now,
      expiresAtMs: now + ttlMs,
      methods,
    };
    this.tokens.set(token.value, token);
    return token;
  }

  /** Revokes every token, as a Keystone key rotation or restart would: the next call gets 401. */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** Makes every token look expired from now on. */
  expireTokens(): void {
    for (const token of this.tokens.values()) token.expiresAtMs = Date.now() - 1;
  }
}

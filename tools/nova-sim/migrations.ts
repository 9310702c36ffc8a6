// Migrations (api-ref "Servers - run an administrative action": os-migrateLive and migrate; "Servers -
// run an action": confirmResize; "Migrations" and "Server migrations"): a migration moves its server to
// another enabled compute host after `migrationMs`, or fails (the server stays ACTIVE where it was, the
// migration is error) when the server is listed in `failMigrations`. A cold migration ends in
// VERIFY_RESIZE on the new host and needs confirmResize, as in Nova.
import express, { type Request, type Response, type Router } from 'express';
import type { SimContext } from './context.js';
import { novaError } from './errors.js';
import { isAdmin, requestToken } from './keystone.js';
import { requestVersion, type SimVersion, versionAtLeast } from './microversion.js';
import type { SimMigration, SimServer, SimState } from './state.js';
import { isObject, ValidationError } from './validate.js';

type ActionHandler = (ctx: SimContext, res: Response, id: string, args: unknown) => void;

const inProgressLive = new Set(['queued', 'preparing', 'running', 'post-migrating']);

function findServer(ctx: SimContext, res: Response, id: string): SimServer | undefined {
  const server = ctx.state.servers.get(id);
  if (server === undefined) return undefined;
  return isAdmin(res) || server.tenantId === requestToken(res).projectId ? server : undefined;
}

function conflict(res: Response, action: string, server: SimServer, attr: string, state: string): void {
  novaError(res, 409, `Cannot '${action}' instance ${server.id} while it is in ${attr} ${state}`);
}

const migratePolicies: Record<string, string> = {
  'os-migrateLive': 'os_compute_api:os-migrate-server:migrate_live',
  migrate: 'os_compute_api:os-migrate-server:migrate',
};

/** Nova's checks before a migration: the admin policy (403), the server (404), its states (409). */
function movableServer(
  ctx: SimContext,
  res: Response,
  id: string,
  action: string,
  vmStates: string[],
): SimServer | undefined {
  if (!isAdmin(res)) {
    novaError(res, 403, `Policy doesn't allow ${migratePolicies[action]} to be performed.`);
    return undefined;
  }
  const server = findServer(ctx, res, id);
  if (server === undefined) {
    novaError(res, 404, `Instance ${id} could not be found.`);
    return undefined;
  }
  if (!vmStates.includes(server.vmState)) {
    conflict(res, action, server, 'vm_state', server.vmState);
    return undefined;
  }
  if (server.taskState !== null) {
    conflict(res, action, server, 'task_state', server.taskState);
    return undefined;
  }
  return server;
}

/** The nova-scheduler's pick: an enabled, up compute host other than the source, with the fewest servers. */
function schedule(state: SimState, source: string): string | undefined {
  const candidates = state.services.filter(
    (s) => s.binary === 'nova-compute' && s.host !== source && s.status === 'enabled' && !s.forcedDown,
  );
  let best: { host: string; load: number } | undefined;
  for (const service of candidates) {
    // Servers arriving count already, as the placement service claims them before the move.
    const arriving = state.migrations.filter(
      (m) => m.destHost === service.host && ['running', 'migrating'].includes(m.status),
    ).length;
    const load = state.serversOnHost(service.host).length + arriving;
    if (best === undefined || load < best.load) best = { host: service.host, load };
  }
  return best?.host;
}

/** The destination asked for (checked as Nova's API and scheduler would) or scheduled; a 400 otherwise. */
function destination(ctx: SimContext, res: Response, server: SimServer, host: unknown): string | undefined {
  if (typeof host === 'string') {
    const service = ctx.state.computeService(host);
    if (service === undefined) {
      novaError(res, 400, `Compute host ${host} could not be found.`);
      return undefined;
    }
    if (host === server.host) {
      novaError(res, 400, `Unable to migrate instance (${server.id}) to current host (${host}).`);
      return undefined;
    }
    if (service.status !== 'enabled' || service.forcedDown) {
      novaError(res, 400, 'No valid host was found. There are not enough hosts available.');
      return undefined;
    }
    return host;
  }
  const picked = schedule(ctx.state, server.host);
  if (picked === undefined)
    novaError(res, 400, 'No valid host was found. There are not enough hosts available.');
  return picked;
}

function fails(ctx: SimContext, server: SimServer): boolean {
  return ctx.options.failMigrations.some((name) => name === server.id || name === server.name);
}

function touch(migration: SimMigration, status: string): void {
  migration.status = status;
  migration.updatedAt = new Date().toISOString();
}

function rejectUnknownKeys(args: Record<string, unknown>, allowed: string[]): void {
  for (const key of Object.keys(args)) {
    if (!allowed.includes(key)) {
      throw new ValidationError(`Additional properties are not allowed ('${key}' was unexpected)`);
    }
  }
}

// Body schema by microversion: block_migration "auto" and no disk_over_commit from 2.25, force from
// 2.30 to 2.67.
function checkLiveBody(args: unknown, version: SimVersion): Record<string, unknown> {
  if (!isObject(args)) {
    throw new ValidationError('Invalid input for field/attribute os-migrateLive. Value must be an object.');
  }
  const modern = versionAtLeast(version, '2.25');
  const allowed = ['host', 'block_migration'];
  if (!modern) allowed.push('disk_over_commit');
  if (versionAtLeast(version, '2.30') && !versionAtLeast(version, '2.68')) allowed.push('force');
  rejectUnknownKeys(args, allowed);
  for (const key of modern ? ['host', 'block_migration'] : ['host', 'block_migration', 'disk_over_commit']) {
    if (!(key in args)) throw new ValidationError(`'${key}' is a required property`);
  }
  const bad = (key: string, why: string): never => {
    throw new ValidationError(
      `Invalid input for field/attribute ${key}. Value: ${JSON.stringify(args[key])}. ${why}`,
    );
  };
  if (
    args.host !== null &&
    (typeof args.host !== 'string' || args.host.length === 0 || args.host.length > 255)
  )
    bad('host', 'is not valid under any of the given schemas');
  const block = args.block_migration;
  if (typeof block !== 'boolean' && !(modern && block === 'auto'))
    bad('block_migration', 'is not valid under any of the given schemas');
  if (!modern && typeof args.disk_over_commit !== 'boolean')
    bad('disk_over_commit', 'must be of type boolean');
  if ('force' in args && typeof args.force !== 'boolean') bad('force', 'must be of type boolean');
  return args;
}

const liveMigrate: ActionHandler = (ctx, res, id, raw) => {
  const args = checkLiveBody(raw, requestVersion(res));
  const server = movableServer(ctx, res, id, 'os-migrateLive', ['active', 'paused']);
  if (server === undefined) return;
  const dest = destination(ctx, res, server, args.host);
  if (dest === undefined) return;
  const migration = ctx.state.addMigration(server, dest, 'live-migration', 'running');
  server.status = 'MIGRATING';
  server.taskState = 'migrating';
  const failing = fails(ctx, server);
  ctx.state.later(ctx.options.migrationMs, () => {
    server.status = 'ACTIVE';
    server.taskState = null;
    if (failing) {
      touch(migration, 'error');
      return;
    }
    server.host = dest;
    touch(migration, 'completed');
  });
  res.status(202).end();
};

const coldMigrate: ActionHandler = (ctx, res, id, args) => {
  // Up to 2.55 the body is {"migrate": null}; from 2.56 an optional {"host": ...} may be given.
  let host: unknown;
  if (args !== null) {
    if (!versionAtLeast(requestVersion(res), '2.56') || !isObject(args)) {
      throw new ValidationError(
        `Invalid input for field/attribute migrate. Value: ${JSON.stringify(args)}. is not of type 'null'`,
      );
    }
    rejectUnknownKeys(args, ['host']);
    host = args.host;
    if (
      host !== undefined &&
      host !== null &&
      (typeof host !== 'string' || host.length === 0 || host.length > 255)
    ) {
      throw new ValidationError(
        `Invalid input for field/attribute host. Value: ${JSON.stringify(host)}. is not valid under any of the given schemas`,
      );
    }
  }
  const server = movableServer(ctx, res, id, 'migrate', ['active', 'stopped']);
  if (server === undefined) return;
  const dest = destination(ctx, res, server, host);
  if (dest === undefined) return;
  const migration = ctx.state.addMigration(server, dest, 'migration', 'migrating');
  server.status = 'RESIZE';
  server.taskState = 'resize_migrating';
  const failing = fails(ctx, server);
  ctx.state.later(ctx.options.migrationMs, () => {
    server.taskState = null;
    if (failing) {
      server.status = 'ACTIVE';
      touch(migration, 'error');
      return;
    }
    server.host = dest;
    server.status = 'VERIFY_RESIZE';
    server.vmState = 'resized';
    touch(migration, 'finished');
  });
  res.status(202).end();
};

const confirmResize: ActionHandler = (ctx, res, id, args) => {
  if (args !== null) {
    throw new ValidationError(
      `Invalid input for field/attribute confirmResize. Value: ${JSON.stringify(args)}. is not of type 'null'`,
    );
  }
  const server = findServer(ctx, res, id);
  if (server === undefined) {
    novaError(res, 404, `Instance ${id} could not be found.`);
    return;
  }
  const migration = ctx.state.migrations.findLast((m) => m.serverId === id && m.status === 'finished');
  if (server.vmState !== 'resized' || migration === undefined) {
    conflict(res, 'confirmResize', server, 'vm_state', server.vmState);
    return;
  }
  server.vmState = 'active';
  server.status = 'ACTIVE';
  touch(migration, 'confirmed');
  res.status(204).end();
};

export const migrationActions: Record<string, ActionHandler> = {
  'os-migrateLive': liveMigrate,
  migrate: coldMigrate,
  confirmResize,
};

function migrationView(
  ctx: SimContext,
  req: Request,
  m: SimMigration,
  version: SimVersion,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: m.id,
    instance_uuid: m.serverId,
    source_compute: m.sourceHost,
    dest_compute: m.destHost,
    source_node: m.sourceHost,
    dest_node: m.destHost,
    dest_host: '127.0.0.1',
    source_region: ctx.options.region,
    dest_region: ctx.options.region,
    status: m.status,
    old_instance_type_id: 1,
    new_instance_type_id: 1,
    created_at: m.createdAt,
    updated_at: m.updatedAt,
  };
  if (versionAtLeast(version, '2.23')) {
    body.migration_type = m.migrationType;
    if (m.migrationType === 'live-migration' && inProgressLive.has(m.status)) {
      body.links = [
        { rel: 'self', href: `${ctx.baseUrl()}${req.baseUrl}/servers/${m.serverId}/migrations/${m.id}` },
      ];
    }
  }
  if (versionAtLeast(version, '2.59')) body.uuid = m.uuid;
  if (versionAtLeast(version, '2.80')) {
    body.user_id = m.userId;
    body.project_id = m.projectId;
  }
  return body;
}

function queryText(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined || typeof value === 'string') return value;
  throw new ValidationError(`Invalid input for query parameters ${name}: expected a single value`);
}

function listMigrations(ctx: SimContext, req: Request, res: Response): void {
  if (!isAdmin(res)) {
    novaError(res, 403, "Policy doesn't allow os_compute_api:os-migrations:index to be performed.");
    return;
  }
  const version = requestVersion(res);
  const filters = {
    instance_uuid: queryText(req, 'instance_uuid'),
    status: queryText(req, 'status'),
    migration_type: queryText(req, 'migration_type'),
    host: queryText(req, 'host'),
  };
  const matching = ctx.state.migrations.filter(
    (m) =>
      (filters.instance_uuid === undefined || m.serverId === filters.instance_uuid) &&
      (filters.status === undefined || m.status === filters.status) &&
      (filters.migration_type === undefined || m.migrationType === filters.migration_type) &&
      (filters.host === undefined || m.sourceHost === filters.host || m.destHost === filters.host),
  );
  // Newest first, as Nova sorts them.
  const migrations = [...matching].reverse().map((m) => migrationView(ctx, req, m, version));
  res.json({ migrations });
}

function serverMigrations(ctx: SimContext, req: Request, res: Response): void {
  const version = requestVersion(res);
  if (!versionAtLeast(version, '2.23')) {
    novaError(res, 404, 'The resource could not be found.');
    return;
  }
  if (!isAdmin(res)) {
    novaError(res, 403, "Policy doesn't allow os_compute_api:servers:migrations:index to be performed.");
    return;
  }
  const id = String(req.params.id);
  if (!ctx.state.servers.has(id)) {
    novaError(res, 404, `Instance ${id} could not be found.`);
    return;
  }
  // Only live migrations in progress, as the api-ref says.
  const migrations = ctx.state.migrations
    .filter((m) => m.serverId === id && m.migrationType === 'live-migration' && inProgressLive.has(m.status))
    .map((m) => {
      const body: Record<string, unknown> = {
        id: m.id,
        server_uuid: m.serverId,
        source_compute: m.sourceHost,
        dest_compute: m.destHost,
        source_node: m.sourceHost,
        dest_node: m.destHost,
        dest_host: '127.0.0.1',
        status: m.status,
        created_at: m.createdAt,
        updated_at: m.updatedAt,
        memory_total_bytes: null,
        memory_processed_bytes: null,
        memory_remaining_bytes: null,
        disk_total_bytes: null,
        disk_processed_bytes: null,
        disk_remaining_bytes: null,
      };
      if (versionAtLeast(version, '2.59')) body.uuid = m.uuid;
      return body;
    });
  res.json({ migrations });
}

export function migrationsRouter(ctx: SimContext): Router {
  const router = express.Router();
  router.get('/os-migrations', (req, res) => listMigrations(ctx, req, res));
  router.get('/servers/:id/migrations', (req, res) => serverMigrations(ctx, req, res));
  return router;
}

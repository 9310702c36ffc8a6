// Servers (api-ref "Servers" and "Servers - run an administrative action"): detailed listing with
// all_tenants / host filters and limit + marker paging with servers_links, a single server, and the
// os-resetState action (admin, 202 without body).
import express, { type Request, type Response, type Router } from 'express';
import type { SimContext } from './context.js';
import { novaError } from './errors.js';
import { isAdmin, requestToken } from './keystone.js';
import type { SimServer } from './state.js';
import { isObject, validateObject, ValidationError } from './validate.js';
import { migrationActions } from './migrations.js';

/** A query parameter given once; repeating it is refused rather than guessed at. */
function queryValue(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined || typeof value === 'string') return value;
  throw new ValidationError(`Invalid input for query parameters ${name}: expected a single value`);
}

function parseAllTenants(value: string | undefined): boolean {
  if (value === undefined) return false;
  const text = value.toLowerCase();
  // Nova treats a bare `all_tenants` as true and parses anything else strictly as a boolean.
  if (['', '1', 'true', 't', 'yes', 'y', 'on'].includes(text)) return true;
  if (['0', 'false', 'f', 'no', 'n', 'off'].includes(text)) return false;
  throw new ValidationError(
    `Unrecognized value '${value}', acceptable values are: '0', '1', 'true', 'false'`,
  );
}

function parseLimit(value: string | undefined, max: number): number {
  if (value === undefined) return max;
  if (!/^[0-9]+$/.test(value)) {
    throw new ValidationError(
      `Invalid input for query parameters limit. Value: ${value}. '${value}' does not match '^[0-9]*$'`,
    );
  }
  return Math.min(Number(value), max);
}

function serverView(
  ctx: SimContext,
  req: Request,
  server: SimServer,
  admin: boolean,
): Record<string, unknown> {
  const self = `${ctx.baseUrl()}${req.baseUrl}/servers/${server.id}`;
  const body: Record<string, unknown> = {
    id: server.id,
    name: server.name,
    status: server.status,
    tenant_id: server.tenantId,
    user_id: server.userId,
    created: server.created,
    updated: server.created,
    metadata: {},
    addresses: {},
    links: [{ rel: 'self', href: self }],
    'OS-EXT-STS:vm_state': server.vmState,
    'OS-EXT-STS:task_state': server.taskState,
  };
  if (admin) {
    // Admin-only extended attributes; the host filter is likewise honoured for admins only.
    body['OS-EXT-SRV-ATTR:host'] = server.host;
    body['OS-EXT-SRV-ATTR:hypervisor_hostname'] = server.host;
  }
  return body;
}

function visibleServer(ctx: SimContext, res: Response, id: string): SimServer | undefined {
  const server = ctx.state.servers.get(id);
  if (server === undefined) return undefined;
  return isAdmin(res) || server.tenantId === requestToken(res).projectId ? server : undefined;
}

function listDetail(ctx: SimContext, req: Request, res: Response): void {
  const admin = isAdmin(res);
  const allTenants = parseAllTenants(queryValue(req, 'all_tenants'));
  if (allTenants && !admin) {
    novaError(
      res,
      403,
      "Policy doesn't allow os_compute_api:servers:detail:get_all_tenants to be performed.",
    );
    return;
  }
  const limit = parseLimit(queryValue(req, 'limit'), ctx.options.maxPageSize);
  const requestedHost = queryValue(req, 'host');
  const host = admin ? requestedHost : undefined;
  const project = allTenants ? undefined : requestToken(res).projectId;
  const matching = [...ctx.state.servers.values()].filter(
    (s) => (host === undefined || s.host === host) && (project === undefined || s.tenantId === project),
  );
  let start = 0;
  const marker = queryValue(req, 'marker');
  if (marker !== undefined) {
    const index = matching.findIndex((s) => s.id === marker);
    if (index < 0) throw new ValidationError(`marker [${marker}] not found`);
    start = index + 1;
  }
  const page = matching.slice(start, start + limit);
  const body: Record<string, unknown> = { servers: page.map((s) => serverView(ctx, req, s, admin)) };
  // Like Nova: a full page gets a next link, even when it happens to be the last one.
  const last = page.at(-1);
  if (limit > 0 && page.length === limit && last !== undefined) {
    const next = new URL(`${ctx.baseUrl()}${String(res.locals.urlPrefix ?? req.baseUrl)}/servers/detail`);
    for (const [key, value] of Object.entries(req.query)) {
      if (key !== 'marker' && typeof value === 'string') next.searchParams.set(key, value);
    }
    next.searchParams.set('marker', last.id);
    body.servers_links = [{ rel: 'next', href: next.href }];
  }
  res.json(body);
}

function serverAction(ctx: SimContext, req: Request, res: Response): void {
  const id = String(req.params.id);
  const body: unknown = req.body;
  if (!isObject(body) || Object.keys(body).length !== 1) {
    throw new ValidationError('The request body must name exactly one action.');
  }
  const [action] = Object.keys(body) as [string];
  const migrationAction = migrationActions[action];
  if (migrationAction !== undefined) {
    migrationAction(ctx, res, id, body[action]);
    return;
  }
  if (action !== 'os-resetState') throw new ValidationError(`There is no such action: ${action}`);
  if (!isAdmin(res)) {
    novaError(res, 403, "Policy doesn't allow os_compute_api:os-admin-actions:reset_state to be performed.");
    return;
  }
  const args = validateObject(
    body[action],
    { state: { type: 'string', enum: ['active', 'error'] } },
    ['state'],
    action,
  );
  const server = visibleServer(ctx, res, id);
  if (server === undefined) {
    novaError(res, 404, `Instance ${id} could not be found.`);
    return;
  }
  server.vmState = String(args.state);
  server.status = args.state === 'error' ? 'ERROR' : 'ACTIVE';
  res.status(202).end();
}

export function serversRouter(ctx: SimContext): Router {
  const router = express.Router();
  router.get('/servers/detail', (req, res) => listDetail(ctx, req, res));
  router.get('/servers/:id', (req, res) => {
    const server = visibleServer(ctx, res, String(req.params.id));
    if (server === undefined) {
      novaError(res, 404, `Instance ${String(req.params.id)} could not be found.`);
      return;
    }
    res.json({ server: serverView(ctx, req, server, isAdmin(res)) });
  });
  router.post('/servers/:id/action', (req, res) => serverAction(ctx, req, res));
  return router;
}

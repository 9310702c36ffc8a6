// Keystone v3 token API (api-ref "Password authentication with scoped authorization" and "Authenticating
// with an Application Credential"): 201 with X-Subject-Token for good credentials, 401 for bad ones,
// 400 for malformed bodies; application credentials are project-bound and may not request a scope.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { catalog, type SimContext } from './context.js';
import { keystoneError, unauthorized } from './errors.js';
import type { SimProject, SimToken, SimUser } from './state.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

class BadRequest extends Error {}

function domainMatches(ref: unknown, domainName: string): boolean {
  if (!isObject(ref)) throw new BadRequest('domain must be an object with "id" or "name"');
  if (typeof ref.id === 'string') return ref.id.toLowerCase() === domainName.toLowerCase();
  if (typeof ref.name === 'string') return ref.name === domainName;
  throw new BadRequest('domain must have "id" or "name"');
}

function findUser(ctx: SimContext, ref: unknown): SimUser | undefined {
  if (!isObject(ref)) throw new BadRequest("'user' is a required property");
  if (typeof ref.id === 'string') return ctx.state.users.find((u) => u.id === ref.id);
  if (typeof ref.name !== 'string') throw new BadRequest('user must have "id" or "name"');
  if (ref.domain === undefined) throw new BadRequest('user.domain is required when the user is named');
  return ctx.state.users.find((u) => u.name === ref.name && domainMatches(ref.domain, u.domain));
}

function findScopedProject(ctx: SimContext, scope: unknown): SimProject | undefined {
  if (!isObject(scope) || !isObject(scope.project)) throw new BadRequest('only project scope is supported');
  const ref = scope.project;
  if (typeof ref.id === 'string') return ctx.state.projects.get(ref.id);
  if (typeof ref.name !== 'string') throw new BadRequest('scope.project must have "id" or "name"');
  if (ref.domain === undefined)
    throw new BadRequest('scope.project.domain is required when the project is named');
  const project = ctx.state.projectByName(ref.name);
  return project !== undefined && domainMatches(ref.domain, project.domain) ? project : undefined;
}

/** Returns the token, or undefined for credentials Keystone would refuse with 401. */
function authenticate(ctx: SimContext, auth: Json): SimToken | undefined {
  const identity = auth.identity;
  if (!isObject(identity)) throw new BadRequest("'identity' is a required property");
  const methods = identity.methods;
  if (!Array.isArray(methods) || methods.length !== 1 || typeof methods[0] !== 'string') {
    throw new BadRequest("'methods' must list exactly one method");
  }
  const method = methods[0];
  const ttl = ctx.options.tokenTtlMs;

  if (method === 'password') {
    const password = identity.password;
    if (!isObject(password)) throw new BadRequest("'password' is a required property");
    const userRef = password.user;
    if (!isObject(userRef) || typeof userRef.password !== 'string')
      throw new BadRequest("'password' is a required property");
    const user = findUser(ctx, userRef);
    if (user === undefined || user.password !== userRef.password) return undefined;
    if (auth.scope === undefined) return ctx.state.issueToken(user.id, undefined, [], ttl, ['password']);
    const project = findScopedProject(ctx, auth.scope);
    if (project === undefined || project.name !== user.project) return undefined;
    return ctx.state.issueToken(user.id, project.id, user.roles, ttl, ['password']);
  }

  if (method === 'application_credential') {
    const ref = identity.application_credential;
    if (!isObject(ref) || typeof ref.secret !== 'string')
      throw new BadRequest("'secret' is a required property");
    let credential;
    if (typeof ref.id === 'string')
      credential = ctx.state.applicationCredentials.find((c) => c.id === ref.id);
    else if (typeof ref.name === 'string') {
      const owner = findUser(ctx, ref.user);
      credential = ctx.state.applicationCredentials.find(
        (c) => c.name === ref.name && c.user === owner?.name,
      );
    } else throw new BadRequest('application_credential must have "id" or "name"');
    if (credential === undefined || credential.secret !== ref.secret) return undefined;
    // Keystone: "Application credentials cannot request a scope."
    if (auth.scope !== undefined) return undefined;
    const user = ctx.state.users.find((u) => u.name === credential.user);
    const project = user !== undefined ? ctx.state.projectByName(user.project) : undefined;
    if (user === undefined || project === undefined) return undefined;
    return ctx.state.issueToken(user.id, project.id, user.roles, ttl, ['application_credential']);
  }

  throw new BadRequest(`unsupported auth method ${method}`);
}

function tokenBody(ctx: SimContext, token: SimToken): Json {
  const user = ctx.state.users.find((u) => u.id === token.userId);
  const project = token.projectId !== undefined ? ctx.state.projects.get(token.projectId) : undefined;
  const body: Json = {
    methods: token.methods,
    user: { id: user?.id, name: user?.name, domain: { id: 'default', name: 'Default' } },
    audit_ids: [token.value.slice(-22)],
    issued_at: new Date(token.issuedAtMs).toISOString(),
    expires_at: new Date(token.expiresAtMs).toISOString(),
  };
  if (project !== undefined) {
    body.project = { id: project.id, name: project.name, domain: { id: 'default', name: 'Default' } };
    body.roles = token.roles.map((name) => ({ id: `role-${name}`, name }));
    body.catalog = catalog(ctx, project.id);
  }
  return body;
}

function versionDocument(ctx: SimContext) {
  return {
    version: {
      id: 'v3.14',
      status: 'stable',
      updated: '2020-04-07T00:00:00Z',
      links: [{ rel: 'self', href: `${ctx.baseUrl()}/identity/v3/` }],
      'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
    },
  };
}

export function keystoneRouter(ctx: SimContext): Router {
  const router = express.Router();
  router.get(['/identity/v3', '/identity/v3/'], (_req, res) => {
    res.json(versionDocument(ctx));
  });
  router.post(
    '/identity/v3/auth/tokens',
    express.json({ limit: ctx.options.maxBodyBytes, type: () => true }),
    (req: Request, res: Response) => {
      const body: unknown = req.body;
      if (!isObject(body) || !isObject(body.auth)) {
        keystoneError(res, 400, "'auth' is a required property");
        return;
      }
      try {
        const token = authenticate(ctx, body.auth);
        if (token === undefined) {
          unauthorized(res, `${ctx.baseUrl()}/identity`);
          return;
        }
        res.setHeader('X-Subject-Token', token.value);
        res.status(201).json({ token: tokenBody(ctx, token) });
      } catch (err) {
        if (!(err instanceof BadRequest)) throw err;
        keystoneError(res, 400, `Invalid input for field 'auth': ${err.message}`);
      }
    },
  );
  // Body parser failures on the token API answer in Keystone's format.
  router.use('/identity', (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const status = (err as { status?: number }).status;
    if (status === 400) keystoneError(res, 400, 'The request body is not valid JSON.');
    else if (status === 413) keystoneError(res, 413, 'Request is too large.');
    else next(err);
  });
  return router;
}

/** Checks X-Auth-Token like keystonemiddleware: missing, unknown, expired or unscoped tokens get 401. */
export function requireToken(ctx: SimContext) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const value = req.get('X-Auth-Token');
    const token = value !== undefined ? ctx.state.tokens.get(value) : undefined;
    if (token === undefined || token.expiresAtMs <= Date.now() || token.projectId === undefined) {
      unauthorized(res, `${ctx.baseUrl()}/identity`);
      return;
    }
    res.locals.token = token;
    next();
  };
}

export function requestToken(res: Response): SimToken {
  return res.locals.token as SimToken;
}

export function isAdmin(res: Response): boolean {
  return requestToken(res).roles.includes('admin');
}

// The Nova API as mounted under each compute endpoint: version documents without auth, then token
// check (401), microversion check (400/406), JSON bodies (400/413), the routes, and 404 for the rest.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { computePrefixes, type SimContext } from './context.js';
import { novaError } from './errors.js';
import { requestToken, requireToken } from './keystone.js';
import { microversionMiddleware } from './microversion.js';
import { serversRouter } from './servers.js';
import { servicesRouter } from './services.js';
import { migrationsRouter } from './migrations.js';
import { ValidationError } from './validate.js';
import { requireJsonBody } from './content-type.js';

function v21Document(ctx: SimContext, prefix: string) {
  return {
    id: 'v2.1',
    status: 'CURRENT',
    version: ctx.options.maxVersion,
    min_version: ctx.options.minVersion,
    updated: '2013-07-23T11:33:21Z',
    links: [{ rel: 'self', href: `${ctx.baseUrl()}${prefix}/v2.1/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }],
  };
}

function versionsDocument(ctx: SimContext, prefix: string) {
  return {
    versions: [
      {
        id: 'v2.0',
        status: 'SUPPORTED',
        version: '',
        min_version: '',
        updated: '2011-01-21T11:33:21Z',
        links: [{ rel: 'self', href: `${ctx.baseUrl()}${prefix}/v2/` }],
      },
      v21Document(ctx, prefix),
    ],
  };
}

// ".../v2.1/<project_id>/..." as openstack-helm registers endpoints: remember the id, route without it.
const projectInPath = /^(\/[a-z0-9-]+\/v2\.1)\/([0-9a-f]{32})(\/.*)?$/;

export function stripProjectId(req: Request, res: Response, next: NextFunction): void {
  const [path = '', query] = req.url.split('?', 2);
  const match = projectInPath.exec(path);
  if (match !== null) {
    res.locals.urlProjectId = match[2];
    res.locals.urlPrefix = `${match[1]}/${match[2]}`;
    req.url = `${match[1]}${match[3] ?? '/'}${query !== undefined ? `?${query}` : ''}`;
  }
  next();
}

function checkUrlProject(_req: Request, res: Response, next: NextFunction): void {
  const inUrl = res.locals.urlProjectId as string | undefined;
  const inToken = requestToken(res).projectId;
  if (inUrl !== undefined && inUrl !== inToken) {
    novaError(
      res,
      400,
      `Malformed request URL: URL's project_id '${inUrl}' doesn't match Context's project_id '${inToken}'`,
    );
    return;
  }
  next();
}

function novaApi(ctx: SimContext, prefix: string): Router {
  const router = express.Router();
  router.get('/', (_req, res) => {
    res.json({ version: v21Document(ctx, prefix) });
  });
  router.use(requireToken(ctx));
  router.use(checkUrlProject);
  router.use(microversionMiddleware(() => ({ min: ctx.options.minVersion, max: ctx.options.maxVersion })));
  router.use(requireJsonBody);
  router.use(express.json({ limit: ctx.options.maxBodyBytes, type: () => true }));
  router.use(servicesRouter(ctx.state));
  router.use(migrationsRouter(ctx));
  router.use(serversRouter(ctx));
  router.use((_req, res) => {
    novaError(res, 404, 'The resource could not be found.');
  });
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof ValidationError) {
      novaError(res, 400, err.message);
      return;
    }
    const status = (err as { status?: number }).status;
    if (status === 400) novaError(res, 400, 'Malformed request body');
    else if (status === 413) novaError(res, 413, 'Request is too large.');
    else next(err);
  });
  return router;
}

export function novaRouter(ctx: SimContext): Router {
  const router = express.Router();
  router.get('/', (_req, res) => {
    res.json(versionsDocument(ctx, computePrefixes.public));
  });
  for (const prefix of Object.values(computePrefixes)) {
    router.get(`${prefix}`, (_req, res) => {
      res.json(versionsDocument(ctx, prefix));
    });
    router.use(`${prefix}/v2.1`, novaApi(ctx, prefix));
  }
  return router;
}

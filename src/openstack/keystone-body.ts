// Pure pieces of Keystone v3 token auth: the request body for each auth method, the token response,
// and the service catalog lookup. Kept free of I/O so they are easy to test against the api-ref shapes.
import type { ApplicationCredentialAuth, CloudAuth, EndpointInterface, PasswordAuth } from './clouds.js';
import { OpenStackConfigError } from './errors.js';

function domain(
  name: string | undefined,
  id: string | undefined,
): { id: string } | { name: string } | undefined {
  if (id !== undefined) return { id };
  if (name !== undefined) return { name };
  return undefined;
}

function user(auth: {
  userName?: string;
  userId?: string;
  userDomainName?: string;
  userDomainId?: string;
}): Record<string, unknown> {
  if (auth.userId !== undefined) return { id: auth.userId };
  return { name: auth.userName, domain: domain(auth.userDomainName, auth.userDomainId) };
}

function passwordBody(auth: PasswordAuth): unknown {
  const project =
    auth.projectId !== undefined
      ? { id: auth.projectId }
      : { name: auth.projectName, domain: domain(auth.projectDomainName, auth.projectDomainId) };
  return {
    auth: {
      identity: { methods: ['password'], password: { user: { ...user(auth), password: auth.password } } },
      scope: { project },
    },
  };
}

function applicationCredentialBody(auth: ApplicationCredentialAuth): unknown {
  // An application credential is bound to its project: the request must not carry a scope.
  const credential: Record<string, unknown> =
    auth.id !== undefined ? { id: auth.id } : { name: auth.name, user: user(auth) };
  credential.secret = auth.secret;
  return { auth: { identity: { methods: ['application_credential'], application_credential: credential } } };
}

export function authRequestBody(auth: CloudAuth): unknown {
  return auth.type === 'password' ? passwordBody(auth) : applicationCredentialBody(auth);
}

/** `{auth_url}/v3/auth/tokens`, whether or not auth_url already ends in /v3. */
export function tokensUrl(authUrl: string): string {
  const base = authUrl.replace(/\/+$/, '');
  return /\/v3$/.test(base) ? `${base}/auth/tokens` : `${base}/v3/auth/tokens`;
}

export interface CatalogEndpoint {
  interface: string;
  url: string;
  region?: string;
  region_id?: string;
}

export interface CatalogService {
  type: string;
  name?: string;
  endpoints: CatalogEndpoint[];
}

export interface Token {
  value: string;
  /** Local clock time (ms) at which the token expires. */
  expiresAtMs: number;
  /** Local clock time (ms) at which the token was received. */
  receivedAtMs: number;
  catalog: CatalogService[];
  projectId?: string;
  roles: string[];
}

interface TokenResponseBody {
  token?: {
    expires_at?: unknown;
    issued_at?: unknown;
    catalog?: unknown;
    project?: { id?: unknown };
    roles?: unknown;
  };
}

function parseCatalog(raw: unknown): CatalogService[] {
  if (!Array.isArray(raw)) return [];
  const services: CatalogService[] = [];
  for (const entry of raw as unknown[]) {
    if (entry === null || typeof entry !== 'object') continue;
    const { type, name, endpoints } = entry as { type?: unknown; name?: unknown; endpoints?: unknown };
    if (typeof type !== 'string' || !Array.isArray(endpoints)) continue;
    services.push({
      type,
      ...(typeof name === 'string' ? { name } : {}),
      endpoints: (endpoints as unknown[]).filter(
        (e): e is CatalogEndpoint =>
          e !== null &&
          typeof e === 'object' &&
          typeof (e as CatalogEndpoint).interface === 'string' &&
          typeof (e as CatalogEndpoint).url === 'string',
      ),
    });
  }
  return services;
}

/**
 * Builds the token from a 201 answer. The expiry is translated to the local clock using Keystone's own
 * issued_at, so a skewed clock between the operator and Keystone does not make tokens look expired.
 */
export function parseTokenResponse(
  subjectToken: string | undefined,
  body: string,
  receivedAtMs: number,
): Token {
  if (subjectToken === undefined || subjectToken === '') {
    throw new OpenStackConfigError('Keystone answered without an X-Subject-Token header');
  }
  let parsed: TokenResponseBody;
  try {
    parsed = JSON.parse(body) as TokenResponseBody;
  } catch {
    throw new OpenStackConfigError('Keystone token response is not JSON');
  }
  const token = parsed.token;
  if (token === undefined || typeof token.expires_at !== 'string') {
    throw new OpenStackConfigError('Keystone token response has no token.expires_at');
  }
  const expires = Date.parse(token.expires_at);
  if (Number.isNaN(expires))
    throw new OpenStackConfigError(`Keystone token.expires_at is not a time: ${token.expires_at}`);
  const issued = typeof token.issued_at === 'string' ? Date.parse(token.issued_at) : Number.NaN;
  const lifetime = Number.isNaN(issued) ? expires - receivedAtMs : expires - issued;
  const roles = Array.isArray(token.roles)
    ? (token.roles as unknown[])
        .map((r) => (r !== null && typeof r === 'object' ? (r as { name?: unknown }).name : undefined))
        .filter((n): n is string => typeof n === 'string')
    : [];
  const projectId = typeof token.project?.id === 'string' ? token.project.id : undefined;
  return {
    value: subjectToken,
    expiresAtMs: receivedAtMs + lifetime,
    receivedAtMs,
    catalog: parseCatalog(token.catalog),
    ...(projectId !== undefined ? { projectId } : {}),
    roles,
  };
}

/** The URL of `type` for the interface and region, or an error listing what the catalog does offer. */
export function selectEndpoint(
  catalog: CatalogService[],
  type: string,
  iface: EndpointInterface,
  region: string | undefined,
): string {
  const services = catalog.filter((s) => s.type === type);
  if (services.length === 0) {
    const types = [...new Set(catalog.map((s) => s.type))].sort();
    throw new OpenStackConfigError(
      `the Keystone catalog has no ${type} service (it lists: ${types.length > 0 ? types.join(', ') : 'nothing'}; ` +
        'is the token project-scoped?)',
    );
  }
  const endpoints = services.flatMap((s) => s.endpoints);
  const match = endpoints.find(
    (e) => e.interface === iface && (region === undefined || e.region_id === region || e.region === region),
  );
  if (match === undefined) {
    const offered = endpoints.map((e) => `${e.interface}@${e.region_id ?? e.region ?? '?'}`).join(', ');
    throw new OpenStackConfigError(
      `no ${type} endpoint with interface ${iface}${region !== undefined ? ` in region ${region}` : ''} ` +
        `in the Keystone catalog (offered: ${offered})`,
    );
  }
  return match.url.replace(/\/+$/, '');
}

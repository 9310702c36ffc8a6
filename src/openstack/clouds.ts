// clouds.yaml as openstacksdk reads it (the file operators already have), reduced to what the operator
// needs: Keystone v3 password or application-credential auth, region, interface and TLS settings.
// Every error names the field by its full path, e.g. "clouds.openstack.auth.auth_url is missing".
import yaml from 'js-yaml';
import { OpenStackConfigError } from './errors.js';

export type EndpointInterface = 'public' | 'internal' | 'admin';

export interface PasswordAuth {
  type: 'password';
  authUrl: string;
  /** Exactly one of userName / userId. */
  userName?: string;
  userId?: string;
  password: string;
  userDomainName?: string;
  userDomainId?: string;
  projectName?: string;
  projectId?: string;
  projectDomainName?: string;
  projectDomainId?: string;
}

export interface ApplicationCredentialAuth {
  type: 'v3applicationcredential';
  authUrl: string;
  /** Either the credential id, or its name together with the owning user. */
  id?: string;
  name?: string;
  secret: string;
  userName?: string;
  userId?: string;
  userDomainName?: string;
  userDomainId?: string;
}

export type CloudAuth = PasswordAuth | ApplicationCredentialAuth;

export interface CloudConfig {
  name: string;
  auth: CloudAuth;
  regionName?: string;
  interface: EndpointInterface;
  /** Path to a PEM bundle, or the PEM text itself when the Secret inlines it. */
  cacert?: string;
  verify: boolean;
}

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Reads an optional string field; numbers are accepted because YAML turns ids like 12345 into numbers. */
function optionalString(map: Mapping, key: string, path: string): string | undefined {
  const value = map[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') throw new OpenStackConfigError(`${path}.${key} must be a string`);
  return value === '' ? undefined : value;
}

function requiredString(map: Mapping, key: string, path: string): string {
  const value = optionalString(map, key, path);
  if (value === undefined) throw new OpenStackConfigError(`${path}.${key} is missing`);
  return value;
}

function parseInterface(value: string | undefined, path: string): EndpointInterface {
  if (value === undefined) return 'public';
  // keystoneauth also accepts the v2-era spellings publicURL / internalURL / adminURL.
  const normalized = value.replace(/URL$/, '').toLowerCase();
  if (normalized === 'public' || normalized === 'internal' || normalized === 'admin') return normalized;
  throw new OpenStackConfigError(`${path} must be public, internal or admin (got "${value}")`);
}

function parseVerify(value: unknown, path: string): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'True') return true;
  if (value === 'false' || value === 'False') return false;
  throw new OpenStackConfigError(`${path} must be true or false`);
}

function parseAuthUrl(value: string, path: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new OpenStackConfigError(`${path} is not a valid URL: "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OpenStackConfigError(`${path} must be an http or https URL (got "${value}")`);
  }
  return value;
}

function userFields(auth: Mapping, path: string, required: boolean) {
  const userName = optionalString(auth, 'username', path) ?? optionalString(auth, 'user_name', path);
  const userId = optionalString(auth, 'user_id', path);
  if (required && userName === undefined && userId === undefined) {
    throw new OpenStackConfigError(`${path}.username is missing`);
  }
  const userDomainName =
    optionalString(auth, 'user_domain_name', path) ?? optionalString(auth, 'default_domain_name', path);
  const userDomainId =
    optionalString(auth, 'user_domain_id', path) ?? optionalString(auth, 'default_domain_id', path);
  // A user named without its id is ambiguous across domains, so Keystone needs the domain.
  if (
    userName !== undefined &&
    userId === undefined &&
    userDomainName === undefined &&
    userDomainId === undefined
  ) {
    throw new OpenStackConfigError(`${path}.user_domain_name is missing`);
  }
  return { userName, userId, userDomainName, userDomainId };
}

function parsePasswordAuth(auth: Mapping, path: string): PasswordAuth {
  const authUrl = parseAuthUrl(requiredString(auth, 'auth_url', path), `${path}.auth_url`);
  const user = userFields(auth, path, true);
  const password = requiredString(auth, 'password', path);
  const projectName = optionalString(auth, 'project_name', path) ?? optionalString(auth, 'tenant_name', path);
  const projectId = optionalString(auth, 'project_id', path) ?? optionalString(auth, 'tenant_id', path);
  if (projectName === undefined && projectId === undefined) {
    // Force-down and all_tenants listing need a project-scoped admin token.
    throw new OpenStackConfigError(`${path}.project_name is missing`);
  }
  const projectDomainName =
    optionalString(auth, 'project_domain_name', path) ?? optionalString(auth, 'default_domain_name', path);
  const projectDomainId =
    optionalString(auth, 'project_domain_id', path) ?? optionalString(auth, 'default_domain_id', path);
  if (projectName !== undefined && projectId === undefined && !projectDomainName && !projectDomainId) {
    throw new OpenStackConfigError(`${path}.project_domain_name is missing`);
  }
  return {
    type: 'password',
    authUrl,
    ...user,
    password,
    projectName,
    projectId,
    projectDomainName,
    projectDomainId,
  };
}

function parseApplicationCredentialAuth(auth: Mapping, path: string): ApplicationCredentialAuth {
  const authUrl = parseAuthUrl(requiredString(auth, 'auth_url', path), `${path}.auth_url`);
  const id = optionalString(auth, 'application_credential_id', path);
  const name = optionalString(auth, 'application_credential_name', path);
  if (id === undefined && name === undefined) {
    throw new OpenStackConfigError(`${path}.application_credential_id is missing`);
  }
  const secret = requiredString(auth, 'application_credential_secret', path);
  // By name, a credential is only unique per user.
  const user = userFields(auth, path, id === undefined);
  return { type: 'v3applicationcredential', authUrl, id, name, secret, ...user };
}

const passwordAuthTypes = new Set(['password', 'v3password']);
const appCredentialAuthTypes = new Set([
  'v3applicationcredential',
  'applicationcredential',
  'application_credential',
]);

/** Parses clouds.yaml text and returns the named cloud, or throws an error naming the bad field. */
export function parseCloudsYaml(text: string, cloudName: string): CloudConfig {
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new OpenStackConfigError(`clouds.yaml is not valid YAML: ${reason}`);
  }
  if (!isMapping(doc)) throw new OpenStackConfigError('clouds.yaml must be a mapping with a "clouds" key');
  const clouds = doc.clouds;
  if (!isMapping(clouds)) throw new OpenStackConfigError('clouds is missing');
  const cloud = clouds[cloudName];
  const path = `clouds.${cloudName}`;
  if (cloud === undefined) {
    const names = Object.keys(clouds);
    throw new OpenStackConfigError(
      `${path} is missing (clouds.yaml defines: ${names.length > 0 ? names.join(', ') : 'no clouds'})`,
    );
  }
  if (!isMapping(cloud)) throw new OpenStackConfigError(`${path} must be a mapping`);
  return parseCloudEntry(cloud, cloudName, path);
}

/** One cloud's entry (the mapping under clouds.<name>); errors name fields under `path`. */
export function parseCloudEntry(cloud: Mapping, cloudName: string, path: string): CloudConfig {
  const auth = cloud.auth;
  if (auth === undefined || auth === null) throw new OpenStackConfigError(`${path}.auth is missing`);
  if (!isMapping(auth)) throw new OpenStackConfigError(`${path}.auth must be a mapping`);

  const authType = optionalString(cloud, 'auth_type', path) ?? 'password';
  let parsedAuth: CloudAuth;
  if (passwordAuthTypes.has(authType)) parsedAuth = parsePasswordAuth(auth, `${path}.auth`);
  else if (appCredentialAuthTypes.has(authType))
    parsedAuth = parseApplicationCredentialAuth(auth, `${path}.auth`);
  else {
    throw new OpenStackConfigError(
      `${path}.auth_type "${authType}" is not supported (use password or v3applicationcredential)`,
    );
  }

  const regionName = optionalString(cloud, 'region_name', path);
  const iface = parseInterface(
    optionalString(cloud, 'interface', path) ?? optionalString(cloud, 'endpoint_type', path),
    `${path}.interface`,
  );
  const cacert = optionalString(cloud, 'cacert', path);
  const verify = parseVerify(cloud.verify, `${path}.verify`);
  return {
    name: cloudName,
    auth: parsedAuth,
    ...(regionName !== undefined ? { regionName } : {}),
    interface: iface,
    ...(cacert !== undefined ? { cacert } : {}),
    verify,
  };
}

/** True when `cacert` holds PEM text rather than a file path. */
export function isInlinePem(cacert: string): boolean {
  return cacert.includes('-----BEGIN');
}

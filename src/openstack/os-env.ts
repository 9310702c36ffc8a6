// Credentials as OS_* variables, the form openstack-helm keeps them in (a Secret such as
// keystone-keystone-admin with OS_AUTH_URL, OS_USERNAME, ... one key each) and openrc files export.
// They are mapped onto a clouds.yaml entry, so both forms go through one parser; errors name the OS_*
// key, e.g. "OS_PASSWORD is missing".
import yaml from 'js-yaml';
import { type CloudConfig, parseCloudEntry } from './clouds.js';
import { OpenStackConfigError } from './errors.js';

/** The cloud name the converted entry gets. */
export const osEnvCloudName = 'os-env';

/** OS_* variable -> clouds.yaml auth field (openstacksdk's own mapping, for the fields we read). */
const authKeys: Record<string, string> = {
  OS_AUTH_URL: 'auth_url',
  OS_USERNAME: 'username',
  OS_USER_ID: 'user_id',
  OS_PASSWORD: 'password',
  OS_PROJECT_NAME: 'project_name',
  OS_PROJECT_ID: 'project_id',
  OS_TENANT_NAME: 'tenant_name',
  OS_TENANT_ID: 'tenant_id',
  OS_USER_DOMAIN_NAME: 'user_domain_name',
  OS_USER_DOMAIN_ID: 'user_domain_id',
  OS_PROJECT_DOMAIN_NAME: 'project_domain_name',
  OS_PROJECT_DOMAIN_ID: 'project_domain_id',
  OS_DEFAULT_DOMAIN_NAME: 'default_domain_name',
  OS_DEFAULT_DOMAIN_ID: 'default_domain_id',
  OS_APPLICATION_CREDENTIAL_ID: 'application_credential_id',
  OS_APPLICATION_CREDENTIAL_NAME: 'application_credential_name',
  OS_APPLICATION_CREDENTIAL_SECRET: 'application_credential_secret',
};

/** OS_* variable -> clouds.yaml cloud field. */
const cloudKeys: Record<string, string> = {
  OS_AUTH_TYPE: 'auth_type',
  OS_REGION_NAME: 'region_name',
  OS_INTERFACE: 'interface',
  OS_ENDPOINT_TYPE: 'endpoint_type',
  OS_CACERT: 'cacert',
};

/** Longest value read from one OS_* key (a CA bundle inlined in OS_CACERT is the largest). */
const maxValueBytes = 64 * 1024;

function toEntry(env: Record<string, string>): Record<string, unknown> {
  const auth: Record<string, string> = {};
  const cloud: Record<string, unknown> = { auth };
  for (const [name, raw] of Object.entries(env)) {
    if (Buffer.byteLength(raw) > maxValueBytes)
      throw new OpenStackConfigError(`${name} is longer than ${maxValueBytes} bytes`);
    // Secrets made with `echo ... | base64` often carry a trailing newline.
    const value = raw.replace(/[\r\n]+$/, '');
    if (authKeys[name] !== undefined) auth[authKeys[name]] = value;
    else if (cloudKeys[name] !== undefined) cloud[cloudKeys[name]] = value;
  }
  if (env.OS_INSECURE !== undefined) cloud.verify = !/^(true|1|yes)$/i.test(env.OS_INSECURE.trim());
  return cloud;
}

/** Turns "clouds.os-env.auth.password is missing" into "OS_PASSWORD is missing". */
function renamed(message: string): string {
  const prefix = `clouds.${osEnvCloudName}.`;
  return message.replaceAll(
    /clouds\.os-env\.(auth\.)?([a-z_]+)/g,
    (whole, inAuth: string | undefined, field: string) => {
      const table = inAuth !== undefined ? authKeys : cloudKeys;
      const name = Object.keys(table).find((key) => table[key] === field);
      return name ?? whole.replace(prefix, '');
    },
  );
}

/** Parses OS_* variables (other keys are ignored) into a cloud; errors name the OS_* key. */
export function parseOsEnv(env: Record<string, string>): CloudConfig {
  try {
    return parseCloudEntry(toEntry(env), osEnvCloudName, `clouds.${osEnvCloudName}`);
  } catch (err) {
    if (err instanceof OpenStackConfigError) throw new OpenStackConfigError(renamed(err.message));
    throw err;
  }
}

/** The same credentials as clouds.yaml text (cloud `os-env`), after checking them with parseOsEnv. */
export function osEnvToCloudsYaml(env: Record<string, string>): string {
  parseOsEnv(env);
  return yaml.dump({ clouds: { [osEnvCloudName]: toEntry(env) } });
}

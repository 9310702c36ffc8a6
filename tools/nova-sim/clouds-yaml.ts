// clouds.yaml text that points at a running simulator, for tests and `--print-clouds-yaml`.
import yaml from 'js-yaml';
import { simCredentials } from './options.js';

export interface CloudsYamlOptions {
  /** Cloud name under `clouds:` (default "openstack", the FaultPolicy default). */
  cloud?: string;
  auth?: 'password' | 'application-credential';
  interface?: 'public' | 'internal' | 'admin';
  region?: string;
}

export function renderCloudsYaml(authUrl: string, region: string, options: CloudsYamlOptions = {}): string {
  const { admin, applicationCredential } = simCredentials;
  const cloud: Record<string, unknown> =
    options.auth === 'application-credential'
      ? {
          auth_type: 'v3applicationcredential',
          auth: {
            auth_url: authUrl,
            application_credential_id: applicationCredential.id,
            application_credential_secret: applicationCredential.secret,
          },
        }
      : {
          auth: {
            auth_url: authUrl,
            username: admin.username,
            password: admin.password,
            project_name: admin.project,
            user_domain_name: admin.domain,
            project_domain_name: admin.domain,
          },
        };
  cloud.region_name = options.region ?? region;
  cloud.interface = options.interface ?? 'public';
  cloud.identity_api_version = 3;
  return yaml.dump({ clouds: { [options.cloud ?? 'openstack']: cloud } });
}

import assert from 'node:assert/strict';
import { parseCloudsYaml } from '../../../src/openstack/clouds.js';
import { osEnvToCloudsYaml, parseOsEnv } from '../../../src/openstack/os-env.js';

// The keys of openstack-helm's keystone-keystone-admin Secret (values made up).
const keystoneAdmin: Record<string, string> = {
  OS_AUTH_URL: 'http://keystone.openstack.svc.cluster.local/v3\n',
  OS_REGION_NAME: 'RegionOne',
  OS_INTERFACE: 'internal',
  OS_ENDPOINT_TYPE: 'internal',
  OS_PROJECT_DOMAIN_NAME: 'default',
  OS_PROJECT_NAME: 'admin',
  OS_USER_DOMAIN_NAME: 'default',
  OS_USERNAME: 'admin',
  OS_PASSWORD: 'password',
  OS_DEFAULT_DOMAIN: 'default',
};

describe('OS_* credentials (openstack-helm Secret)', () => {
  it("reads keystone-keystone-admin's keys into a cloud", () => {
    const cloud = parseOsEnv(keystoneAdmin);
    assert.deepEqual(cloud.auth, {
      type: 'password',
      authUrl: 'http://keystone.openstack.svc.cluster.local/v3',
      userName: 'admin',
      userId: undefined,
      userDomainName: 'default',
      userDomainId: undefined,
      password: 'password',
      projectName: 'admin',
      projectId: undefined,
      projectDomainName: 'default',
      projectDomainId: undefined,
    });
    assert.equal(cloud.regionName, 'RegionOne');
    assert.equal(cloud.interface, 'internal');
    assert.equal(cloud.verify, true);
  });

  it('keeps an inline OS_CACERT and honours OS_INSECURE', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const cloud = parseOsEnv({ ...keystoneAdmin, OS_CACERT: pem, OS_INSECURE: 'true' });
    assert.equal(cloud.cacert, pem.trimEnd());
    assert.equal(cloud.verify, false);
  });

  it('converts to clouds.yaml text that parses to the same cloud', () => {
    const text = osEnvToCloudsYaml(keystoneAdmin);
    assert.deepEqual(parseCloudsYaml(text, 'os-env'), parseOsEnv(keystoneAdmin));
  });

  it('takes an application credential', () => {
    const cloud = parseOsEnv({
      OS_AUTH_TYPE: 'v3applicationcredential',
      OS_AUTH_URL: 'https://keystone.example/v3',
      OS_APPLICATION_CREDENTIAL_ID: 'abc',
      OS_APPLICATION_CREDENTIAL_SECRET: 's',
    });
    assert.equal(cloud.auth.type, 'v3applicationcredential');
  });

  it('names the OS_* key that is missing or wrong', () => {
    const without = (key: string) =>
      Object.fromEntries(Object.entries(keystoneAdmin).filter(([k]) => k !== key));
    assert.throws(() => parseOsEnv(without('OS_PASSWORD')), { message: 'OS_PASSWORD is missing' });
    assert.throws(() => parseOsEnv(without('OS_AUTH_URL')), { message: 'OS_AUTH_URL is missing' });
    assert.throws(() => parseOsEnv(without('OS_USER_DOMAIN_NAME')), {
      message: 'OS_USER_DOMAIN_NAME is missing',
    });
    assert.throws(() => parseOsEnv({ ...keystoneAdmin, OS_INTERFACE: 'private' }), {
      message: /^OS_INTERFACE must be public, internal or admin/,
    });
    assert.throws(() => parseOsEnv({ ...keystoneAdmin, OS_AUTH_URL: 'ftp://x' }), {
      message: /^OS_AUTH_URL must be an http or https URL/,
    });
    assert.throws(() => parseOsEnv({ ...keystoneAdmin, OS_PASSWORD: 'x'.repeat(70_000) }), {
      message: /OS_PASSWORD is longer than 65536 bytes/,
    });
  });
});

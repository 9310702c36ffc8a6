import assert from 'node:assert/strict';
import { isInlinePem, parseCloudsYaml } from '../../../src/openstack/clouds.js';

const passwordCloud = `
clouds:
  openstack:
    auth:
      auth_url: https://keystone.example:5000/v3
      username: admin
      password: s3cret
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    interface: internal
    cacert: /etc/ssl/cloud-ca.pem
    verify: true
`;

function withoutLine(yamlText: string, key: string): string {
  return yamlText
    .split('\n')
    .filter((line) => !line.trim().startsWith(`${key}:`))
    .join('\n');
}

describe('clouds.yaml parsing', () => {
  it('reads a password cloud with region, interface and TLS settings', () => {
    const cloud = parseCloudsYaml(passwordCloud, 'openstack');
    assert.equal(cloud.name, 'openstack');
    assert.equal(cloud.regionName, 'RegionOne');
    assert.equal(cloud.interface, 'internal');
    assert.equal(cloud.cacert, '/etc/ssl/cloud-ca.pem');
    assert.equal(cloud.verify, true);
    assert.equal(cloud.auth.type, 'password');
    assert.ok(cloud.auth.type === 'password');
    assert.equal(cloud.auth.authUrl, 'https://keystone.example:5000/v3');
    assert.equal(cloud.auth.userName, 'admin');
    assert.equal(cloud.auth.password, 's3cret');
    assert.equal(cloud.auth.projectName, 'admin');
    assert.equal(cloud.auth.userDomainName, 'Default');
    assert.equal(cloud.auth.projectDomainName, 'Default');
  });

  it('defaults to the public interface and verified TLS', () => {
    const cloud = parseCloudsYaml(
      withoutLine(withoutLine(passwordCloud, 'interface'), 'verify'),
      'openstack',
    );
    assert.equal(cloud.interface, 'public');
    assert.equal(cloud.verify, true);
  });

  it('accepts the v2-era interface spellings and endpoint_type', () => {
    const text = passwordCloud.replace('interface: internal', 'endpoint_type: adminURL');
    assert.equal(parseCloudsYaml(text, 'openstack').interface, 'admin');
    assert.equal(
      parseCloudsYaml(passwordCloud.replace('internal', 'publicURL'), 'openstack').interface,
      'public',
    );
  });

  it('reads verify: false', () => {
    assert.equal(
      parseCloudsYaml(passwordCloud.replace('verify: true', 'verify: false'), 'openstack').verify,
      false,
    );
  });

  it('reads an application credential cloud', () => {
    const cloud = parseCloudsYaml(
      `
clouds:
  prod:
    auth_type: v3applicationcredential
    auth:
      auth_url: http://keystone/identity
      application_credential_id: 0123abcd
      application_credential_secret: shh
    region_name: RegionTwo
`,
      'prod',
    );
    assert.equal(cloud.auth.type, 'v3applicationcredential');
    assert.ok(cloud.auth.type === 'v3applicationcredential');
    assert.equal(cloud.auth.id, '0123abcd');
    assert.equal(cloud.auth.secret, 'shh');
    assert.equal(cloud.regionName, 'RegionTwo');
  });

  it('keeps numeric ids that YAML turned into numbers', () => {
    const cloud = parseCloudsYaml(
      `
clouds:
  c:
    auth:
      auth_url: http://k/v3
      user_id: 12345
      password: p
      project_id: 67890
`,
      'c',
    );
    assert.ok(cloud.auth.type === 'password');
    assert.equal(cloud.auth.userId, '12345');
    assert.equal(cloud.auth.projectId, '67890');
  });

  const missing: [string, string][] = [
    ['auth_url', 'clouds.openstack.auth.auth_url is missing'],
    ['username', 'clouds.openstack.auth.username is missing'],
    ['password', 'clouds.openstack.auth.password is missing'],
    ['project_name', 'clouds.openstack.auth.project_name is missing'],
    ['user_domain_name', 'clouds.openstack.auth.user_domain_name is missing'],
    ['project_domain_name', 'clouds.openstack.auth.project_domain_name is missing'],
  ];
  for (const [field, message] of missing) {
    it(`names the missing field ${field}`, () => {
      assert.throws(() => parseCloudsYaml(withoutLine(passwordCloud, field), 'openstack'), { message });
    });
  }

  it('names the cloud that is missing and lists the ones that exist', () => {
    assert.throws(() => parseCloudsYaml(passwordCloud, 'prod'), {
      message: 'clouds.prod is missing (clouds.yaml defines: openstack)',
    });
  });

  it('refuses a cloud without auth', () => {
    assert.throws(() => parseCloudsYaml('clouds:\n  openstack:\n    region_name: R\n', 'openstack'), {
      message: 'clouds.openstack.auth is missing',
    });
  });

  it('refuses an application credential without id or secret', () => {
    const base =
      'clouds:\n  c:\n    auth_type: v3applicationcredential\n    auth:\n      auth_url: http://k/v3\n';
    assert.throws(() => parseCloudsYaml(`${base}      application_credential_secret: s\n`, 'c'), {
      message: 'clouds.c.auth.application_credential_id is missing',
    });
    assert.throws(() => parseCloudsYaml(`${base}      application_credential_id: i\n`, 'c'), {
      message: 'clouds.c.auth.application_credential_secret is missing',
    });
  });

  it('refuses unsupported auth types, bad URLs, interfaces and verify values by field', () => {
    assert.throws(
      () =>
        parseCloudsYaml(passwordCloud.replace('    auth:', '    auth_type: token\n    auth:'), 'openstack'),
      {
        message: /clouds\.openstack\.auth_type "token" is not supported/,
      },
    );
    assert.throws(
      () =>
        parseCloudsYaml(passwordCloud.replace('https://keystone.example:5000/v3', 'ftp://x'), 'openstack'),
      {
        message: /clouds\.openstack\.auth\.auth_url must be an http or https URL/,
      },
    );
    assert.throws(
      () => parseCloudsYaml(passwordCloud.replace('interface: internal', 'interface: private'), 'openstack'),
      {
        message: /clouds\.openstack\.interface must be public, internal or admin/,
      },
    );
    assert.throws(
      () => parseCloudsYaml(passwordCloud.replace('verify: true', 'verify: maybe'), 'openstack'),
      {
        message: 'clouds.openstack.verify must be true or false',
      },
    );
    assert.throws(
      () => parseCloudsYaml(passwordCloud.replace('username: admin', 'username: [a, b]'), 'openstack'),
      {
        message: 'clouds.openstack.auth.username must be a string',
      },
    );
  });

  it('refuses text that is not YAML or has no clouds', () => {
    assert.throws(() => parseCloudsYaml('clouds: [unclosed', 'openstack'), {
      message: /^clouds\.yaml is not valid YAML/,
    });
    assert.throws(() => parseCloudsYaml('other: 1\n', 'openstack'), { message: 'clouds is missing' });
    assert.throws(() => parseCloudsYaml('just text', 'openstack'), { message: /must be a mapping/ });
  });

  it('tells inline PEM from a path', () => {
    assert.equal(isInlinePem('-----BEGIN CERTIFICATE-----\nMII...\n-----END CERTIFICATE-----\n'), true);
    assert.equal(isInlinePem('/etc/ssl/ca.pem'), false);
  });
});

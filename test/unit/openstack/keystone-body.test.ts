import assert from 'node:assert/strict';
import type { CatalogService } from '../../../src/openstack/keystone-body.js';
import {
  authRequestBody,
  parseTokenResponse,
  selectEndpoint,
  tokensUrl,
} from '../../../src/openstack/keystone-body.js';

describe('Keystone v3 request bodies', () => {
  it('builds a project-scoped password body with domains by name', () => {
    const body = authRequestBody({
      type: 'password',
      authUrl: 'http://k/v3',
      userName: 'admin',
      userDomainName: 'Default',
      password: 'pw',
      projectName: 'admin',
      projectDomainName: 'Default',
    });
    assert.deepEqual(body, {
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'admin', domain: { name: 'Default' }, password: 'pw' } },
        },
        scope: { project: { name: 'admin', domain: { name: 'Default' } } },
      },
    });
  });

  it('uses ids when given instead of names', () => {
    const body = authRequestBody({
      type: 'password',
      authUrl: 'http://k/v3',
      userId: 'u1',
      password: 'pw',
      projectId: 'p1',
    });
    assert.deepEqual(body, {
      auth: {
        identity: { methods: ['password'], password: { user: { id: 'u1', password: 'pw' } } },
        scope: { project: { id: 'p1' } },
      },
    });
  });

  it('builds an unscoped application credential body by id', () => {
    const body = authRequestBody({
      type: 'v3applicationcredential',
      authUrl: 'http://k/v3',
      id: 'ac',
      secret: 's',
    });
    assert.deepEqual(body, {
      auth: {
        identity: { methods: ['application_credential'], application_credential: { id: 'ac', secret: 's' } },
      },
    });
  });

  it('names an application credential together with its user', () => {
    const body = authRequestBody({
      type: 'v3applicationcredential',
      authUrl: 'http://k/v3',
      name: 'doctor',
      secret: 's',
      userName: 'admin',
      userDomainId: 'default',
    });
    assert.deepEqual(body, {
      auth: {
        identity: {
          methods: ['application_credential'],
          application_credential: {
            name: 'doctor',
            user: { name: 'admin', domain: { id: 'default' } },
            secret: 's',
          },
        },
      },
    });
  });

  it('finds the tokens URL with or without /v3 in auth_url', () => {
    assert.equal(tokensUrl('http://k:5000/v3'), 'http://k:5000/v3/auth/tokens');
    assert.equal(tokensUrl('http://k:5000/v3/'), 'http://k:5000/v3/auth/tokens');
    assert.equal(tokensUrl('http://k/identity'), 'http://k/identity/v3/auth/tokens');
    assert.equal(tokensUrl('http://k/identity/'), 'http://k/identity/v3/auth/tokens');
  });
});

describe('Keystone token responses', () => {
  const body = JSON.stringify({
    token: {
      issued_at: '2020-01-01T00:00:00.000000Z',
      expires_at: '2020-01-01T01:00:00.000000Z',
      project: { id: 'p1' },
      roles: [
        { id: 'r1', name: 'admin' },
        { id: 'r2', name: 'member' },
      ],
      catalog: [
        { type: 'compute', endpoints: [{ interface: 'public', url: 'http://nova/v2.1', region_id: 'R' }] },
      ],
    },
  });

  it('reads the token, its roles and catalog, and expires it on the local clock', () => {
    // The local clock is far from Keystone's: the lifetime (1 h) counts, not the absolute time.
    const receivedAt = Date.parse('2031-06-01T12:00:00Z');
    const token = parseTokenResponse('tok', body, receivedAt);
    assert.equal(token.value, 'tok');
    assert.equal(token.expiresAtMs - receivedAt, 3_600_000);
    assert.deepEqual(token.roles, ['admin', 'member']);
    assert.equal(token.projectId, 'p1');
    assert.equal(token.catalog[0]?.type, 'compute');
  });

  it('refuses answers without the subject token or expiry', () => {
    assert.throws(() => parseTokenResponse(undefined, body, 0), { message: /X-Subject-Token/ });
    assert.throws(() => parseTokenResponse('t', '{"token":{}}', 0), { message: /expires_at/ });
    assert.throws(() => parseTokenResponse('t', 'not json', 0), { message: /not JSON/ });
  });
});

describe('catalog lookup', () => {
  const catalog: CatalogService[] = [
    { type: 'identity', endpoints: [{ interface: 'public', url: 'http://k/v3', region_id: 'R1' }] },
    {
      type: 'compute',
      endpoints: [
        { interface: 'public', url: 'http://nova-r1/v2.1/', region_id: 'R1' },
        { interface: 'internal', url: 'http://nova-int-r1/v2.1', region_id: 'R1' },
        { interface: 'public', url: 'http://nova-r2/v2.1', region: 'R2' },
      ],
    },
  ];

  it('picks by interface and region, trimming the trailing slash', () => {
    assert.equal(selectEndpoint(catalog, 'compute', 'public', 'R1'), 'http://nova-r1/v2.1');
    assert.equal(selectEndpoint(catalog, 'compute', 'internal', 'R1'), 'http://nova-int-r1/v2.1');
    assert.equal(selectEndpoint(catalog, 'compute', 'public', 'R2'), 'http://nova-r2/v2.1');
    assert.equal(selectEndpoint(catalog, 'compute', 'public', undefined), 'http://nova-r1/v2.1');
  });

  it('says what the catalog offers when nothing matches', () => {
    assert.throws(() => selectEndpoint(catalog, 'compute', 'admin', 'R1'), {
      message:
        /no compute endpoint with interface admin in region R1 .*offered: public@R1, internal@R1, public@R2/,
    });
    assert.throws(() => selectEndpoint(catalog, 'placement', 'public', undefined), {
      message: /no placement service \(it lists: compute, identity/,
    });
  });
});

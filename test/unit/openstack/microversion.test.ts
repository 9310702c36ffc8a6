import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  compareMicroversions,
  formatMicroversion,
  mv,
  negotiate,
  parseMicroversion,
  parseVersionDocument,
  versionDocumentUrl,
} from '../../../src/openstack/microversion.js';

describe('microversions', () => {
  it('parses and compares numerically, not as text', () => {
    assert.deepEqual(parseMicroversion('2.53'), { major: 2, minor: 53 });
    assert.equal(parseMicroversion('latest'), undefined);
    assert.equal(parseMicroversion('2'), undefined);
    assert.ok(compareMicroversions(mv('2.9'), mv('2.10')) < 0);
    assert.ok(compareMicroversions(mv('3.0'), mv('2.96')) > 0);
    assert.equal(compareMicroversions(mv('2.53'), mv('2.53')), 0);
  });

  it('takes the highest common version', () => {
    assert.equal(formatMicroversion(negotiate({ min: mv('2.1'), max: mv('2.100') })), '2.96');
    assert.equal(formatMicroversion(negotiate({ min: mv('2.1'), max: mv('2.79') })), '2.79');
    assert.equal(formatMicroversion(negotiate({ min: mv('2.11'), max: mv('2.52') })), '2.52');
    assert.equal(formatMicroversion(negotiate({ min: mv('2.1'), max: mv('2.96') }, mv('2.60'))), '2.60');
  });

  it('refuses clouds that cannot force a service down or share no version', () => {
    assert.throws(() => negotiate(undefined), {
      message: /no microversions; force-down needs compute API 2.11/,
    });
    assert.throws(() => negotiate({ min: mv('2.1'), max: mv('2.10') }), {
      message: /at most 2.10; force-down needs/,
    });
    assert.throws(() => negotiate({ min: mv('2.97'), max: mv('2.99') }), {
      message: /no common compute microversion/,
    });
  });

  it('negotiates a version inside both ranges and as high as possible (property)', () => {
    const version = fc.record({ major: fc.constant(2), minor: fc.integer({ min: 0, max: 120 }) });
    fc.assert(
      fc.property(version, version, version, (a, b, wanted) => {
        const [min, max] = compareMicroversions(a, b) <= 0 ? [a, b] : [b, a];
        let chosen;
        try {
          chosen = negotiate({ min, max }, wanted);
        } catch {
          // Refused only when there is no usable common version.
          const top = compareMicroversions(max, wanted) < 0 ? max : wanted;
          assert.ok(compareMicroversions(top, min) < 0 || top.minor < 11);
          return;
        }
        assert.ok(compareMicroversions(chosen, min) >= 0);
        assert.ok(compareMicroversions(chosen, max) <= 0);
        assert.ok(compareMicroversions(chosen, wanted) <= 0);
        assert.ok(compareMicroversions(chosen, max) === 0 || compareMicroversions(chosen, wanted) === 0);
      }),
    );
  });

  it('reads both forms of the version document', () => {
    const single = JSON.stringify({ version: { id: 'v2.1', version: '2.96', min_version: '2.1' } });
    assert.deepEqual(parseVersionDocument(single), { min: mv('2.1'), max: mv('2.96') });
    const list = JSON.stringify({
      versions: [
        { id: 'v2.0', version: '', min_version: '' },
        { id: 'v2.1', version: '2.52', min_version: '2.11' },
      ],
    });
    assert.deepEqual(parseVersionDocument(list), { min: mv('2.11'), max: mv('2.52') });
    const v20only = JSON.stringify({ versions: [{ id: 'v2.0', version: '', min_version: '' }] });
    assert.equal(parseVersionDocument(v20only), undefined);
    assert.throws(() => parseVersionDocument('{}'), { message: /neither "version" nor "versions"/ });
    assert.throws(() => parseVersionDocument('<html>'), { message: /not JSON/ });
  });

  it('finds the version document of an endpoint, with or without a project id', () => {
    assert.equal(versionDocumentUrl('http://nova:8774/v2.1'), 'http://nova:8774/v2.1/');
    assert.equal(versionDocumentUrl('http://nova:8774/v2.1/0123abcd'), 'http://nova:8774/v2.1/');
    assert.equal(versionDocumentUrl('https://cloud/compute/v2.1/'), 'https://cloud/compute/v2.1/');
    assert.equal(versionDocumentUrl('http://nova:8774'), 'http://nova:8774/');
  });
});

import assert from 'node:assert/strict';
import type * as k8s from '@kubernetes/client-node';
import { namespaceSecretReader } from '../../../src/operator/remediation-adapters.js';

describe('namespace Secret reader', function () {
  function fakeCore(values: Record<string, Record<string, string>>) {
    const calls: string[] = [];
    const core = {
      readNamespacedSecret: ({ name, namespace }: { name: string; namespace: string }) => {
        calls.push(`${namespace}/${name}`);
        const data = values[name];
        if (!data) return Promise.reject(Object.assign(new Error('not found'), { code: 404 }));
        return Promise.resolve({
          data: Object.fromEntries(
            Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
          ),
        });
      },
      readNamespacedConfigMap: ({ name, namespace }: { name: string; namespace: string }) => {
        calls.push(`configmap ${namespace}/${name}`);
        const data = values[`configmap/${name}`];
        if (!data) return Promise.reject(Object.assign(new Error('not found'), { code: 404 }));
        return Promise.resolve({ data });
      },
    } as unknown as k8s.CoreV1Api;
    return { core, calls };
  }

  it('decodes a key and serves repeats from its cache, refreshing in the background when old', async function () {
    let clock = 0;
    const values = { clouds: { 'clouds.yaml': 'v1' } };
    const { core, calls } = fakeCore(values);
    const reader = namespaceSecretReader(core, 'ops', {
      refreshAfterMs: 100,
      maxAgeMs: 1000,
      now: () => clock,
    });
    assert.equal(await reader.read('clouds', 'clouds.yaml'), 'v1');
    assert.equal(await reader.read('clouds', 'clouds.yaml'), 'v1');
    assert.deepEqual(calls, ['ops/clouds']);
    values.clouds['clouds.yaml'] = 'v2';
    clock = 200; // stale: answered from the cache, refreshed behind it
    assert.equal(await reader.read('clouds', 'clouds.yaml'), 'v1');
    await new Promise((r) => setImmediate(r));
    assert.equal(await reader.read('clouds', 'clouds.yaml'), 'v2');
    clock = 5000; // too old to serve: read again first
    assert.equal(await reader.read('clouds', 'clouds.yaml'), 'v2');
    assert.equal(calls.length, 3);
  });

  it('names the Secret and key that are missing', async function () {
    const { core } = fakeCore({ clouds: { other: 'x' } });
    const reader = namespaceSecretReader(core, 'ops');
    await assert.rejects(reader.read('nope', 'k'), /Secret ops\/nope not found/);
    await assert.rejects(reader.read('clouds', 'clouds.yaml'), /Secret ops\/clouds has no key "clouds.yaml"/);
  });

  it('reads whole Secrets and ConfigMap keys, each kind in its own cache entry', async function () {
    const { core, calls } = fakeCore({
      admin: { OS_USERNAME: 'admin', OS_PASSWORD: 'p' },
      'configmap/admin': { 'ca.crt': 'PEM' },
    });
    const reader = namespaceSecretReader(core, 'ops');
    assert.deepEqual(await reader.readAll?.('admin'), { OS_USERNAME: 'admin', OS_PASSWORD: 'p' });
    assert.equal(await reader.readConfigMap?.('admin', 'ca.crt'), 'PEM');
    assert.equal(await reader.read('admin', 'OS_PASSWORD'), 'p');
    assert.deepEqual(calls, ['ops/admin', 'configmap ops/admin']);
    await assert.rejects(
      reader.readConfigMap?.('absent', 'ca.crt') ?? Promise.resolve(),
      /ConfigMap ops\/absent not found/,
    );
    await assert.rejects(
      reader.readConfigMap?.('admin', 'x') ?? Promise.resolve(),
      /ConfigMap ops\/admin has no key "x"/,
    );
  });
});

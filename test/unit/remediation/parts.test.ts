// The pieces: Nova client cache, status batcher, taint value, notification entries.
import assert from 'node:assert/strict';
import { NovaClientCache } from '../../../src/remediation/nova-clients.js';
import { belongsToFault, serverNotifications } from '../../../src/remediation/notifications.js';
import { mergePatches, StatusBatcher } from '../../../src/remediation/status-batcher.js';
import { hostDownTaint } from '../../../src/remediation/taint.js';
import type { NotificationEntry } from '../../../src/remediation/status.js';
import {
  eventually,
  FakeNova,
  fakeNovaFactory,
  MapSecrets,
  MemoryStatusStore,
  policy,
  silentLogger,
  target,
} from './fakes.js';

describe('remediation parts', function () {
  this.timeout(10_000);

  describe('Nova client cache', () => {
    it('builds one client per policy and Secret content, closing the old one when the Secret changes', async () => {
      const secrets = new MapSecrets({ 'openstack-clouds/clouds.yaml': 'v1' });
      const made: string[] = [];
      const closed: string[] = [];
      // Checked on every use here (no grace period after a check).
      const cache = new NovaClientCache(secrets, fakeNovaFactory(new FakeNova(), made, closed), Date.now, 0);
      const p = policy();
      await cache.get(p);
      await cache.get(p);
      assert.deepEqual(made, ['v1']);
      secrets.values['openstack-clouds/clouds.yaml'] = 'v2';
      await cache.get(p);
      assert.deepEqual(made, ['v1', 'v2']);
      await eventually(() => closed.length === 1);
      assert.deepEqual(closed, ['v1']);
      await cache.get(policy({}, { cloud: 'other' }));
      assert.equal(made.length, 3, 'another cloud name is another client');
      cache.closeAll();
      await eventually(() => closed.length === 3);
    });

    it('names the field when the policy or its Secret is unusable, and does not cache a failure', async () => {
      const secrets = new MapSecrets();
      let builds = 0;
      const cache = new NovaClientCache(secrets, () => {
        builds++;
        return Promise.reject(new Error('clouds.openstack.auth.auth_url is missing'));
      });
      await assert.rejects(
        cache.get(policy()),
        /spec\.actions\.nova\.cloudSecretRef: Secret openstack-clouds has no key/,
      );
      await assert.rejects(cache.get(policy({ nova: undefined })), /spec\.actions\.nova is not set/);
      secrets.values['openstack-clouds/clouds.yaml'] = 'x';
      await assert.rejects(cache.get(policy()), /auth_url/);
      await assert.rejects(cache.get(policy()), /auth_url/);
      assert.equal(builds, 2);
    });
  });

  describe('Nova client cache with OS_* credentials', () => {
    const helmSecret = {
      'keystone-keystone-admin/OS_AUTH_URL': 'http://keystone.openstack.svc.cluster.local/v3',
      'keystone-keystone-admin/OS_USERNAME': 'admin',
      'keystone-keystone-admin/OS_PASSWORD': 'password',
      'keystone-keystone-admin/OS_PROJECT_NAME': 'admin',
      'keystone-keystone-admin/OS_USER_DOMAIN_NAME': 'default',
      'keystone-keystone-admin/OS_PROJECT_DOMAIN_NAME': 'default',
      'keystone-keystone-admin/OS_INTERFACE': 'internal',
      'keystone-keystone-admin/unrelated': 'ignored',
    };
    const helmPolicy = () =>
      policy({}, { cloudSecretRef: undefined, credentialsSecretRef: { name: 'keystone-keystone-admin' } });

    it("builds the client from openstack-helm's Secret, as cloud os-env", async () => {
      const made: string[] = [];
      const clouds: string[] = [];
      const cache = new NovaClientCache(new MapSecrets({ ...helmSecret }), (text, cloud) => {
        clouds.push(cloud);
        return fakeNovaFactory(new FakeNova(), made)(text, cloud);
      });
      await cache.get(helmPolicy());
      assert.deepEqual(clouds, ['os-env']);
      assert.match(
        made[0] ?? '',
        /os-env:[\s\S]*auth_url: http:\/\/keystone\.openstack\.svc\.cluster\.local\/v3/,
      );
      assert.doesNotMatch(made[0] ?? '', /unrelated/);
    });

    it('names the Secret field and the OS_* key that is wrong', async () => {
      const { 'keystone-keystone-admin/OS_PASSWORD': _password, ...withoutPassword } = helmSecret;
      const cache = new NovaClientCache(new MapSecrets(withoutPassword), fakeNovaFactory(new FakeNova()));
      await assert.rejects(cache.get(helmPolicy()), {
        message: 'FaultPolicy compute-hosts: spec.actions.nova.credentialsSecretRef: OS_PASSWORD is missing',
      });
      const empty = new NovaClientCache(
        new MapSecrets({ 'keystone-keystone-admin/x': 'y' }),
        fakeNovaFactory(new FakeNova()),
      );
      await assert.rejects(empty.get(helmPolicy()), /Secret keystone-keystone-admin has no OS_\* keys/);
    });
  });

  describe('status batcher', () => {
    const options = { minIntervalMs: 20, lazyMs: 200, retryBaseMs: 5, retryCapMs: 10 };

    it('coalesces a burst of changes into few writes, the notification list written whole', async () => {
      const store = new MemoryStatusStore();
      store.writeDelayMs = 5;
      const entries: NotificationEntry[] = [];
      const batcher = new StatusBatcher('n', store, () => entries, options, silentLogger());
      for (let i = 0; i < 300; i++) {
        entries.push({ consumer: 'c', id: String(i), kind: 'host.down', delivered: true, attempts: 1 });
        batcher.notificationsChanged('urgent');
        batcher.update({ servers: { found: 300, markedError: i + 1 } }, 'urgent');
      }
      assert.equal(await batcher.flush(), true);
      assert.ok(store.patches.length <= 3, `writes: ${store.patches.length}`);
      assert.equal(store.status('n').notifications?.length, 300);
      assert.deepEqual(store.status('n').servers, { found: 300, markedError: 300 });
    });

    it('waits up to lazyMs for bookkeeping changes but writes urgent ones at once', async () => {
      const store = new MemoryStatusStore();
      const batcher = new StatusBatcher('n', store, () => [], options, silentLogger());
      batcher.update({ servers: { found: 1, markedError: 0 } }, 'lazy');
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(store.patches.length, 0);
      batcher.update({ timeline: { T04: 'x' } }, 'urgent');
      await eventually(() => store.patches.length === 1, 1000);
      assert.deepEqual(store.patches[0]?.patch, {
        servers: { found: 1, markedError: 0 },
        timeline: { T04: 'x' },
      });
      batcher.close();
    });

    it('retries a failed write with the newest values merged over the failed ones', async () => {
      const store = new MemoryStatusStore();
      store.failWrites = 2;
      const batcher = new StatusBatcher('n', store, () => [], options, silentLogger());
      batcher.update({ timeline: { T04: 'a' } }, 'urgent');
      await new Promise((r) => setTimeout(r, 2));
      batcher.update({ timeline: { T05: 'b' } }, 'urgent');
      await eventually(() => store.patches.length > 0, 2000, 'a successful write');
      await batcher.flush();
      assert.deepEqual(store.status('n').timeline, { T04: 'a', T05: 'b' });
    });

    it('keeps retrying a failed write until it lands, not a fixed number of times', async () => {
      const store = new MemoryStatusStore();
      store.failWrites = 12;
      const batcher = new StatusBatcher('n', store, () => [], options, silentLogger());
      batcher.update({ timeline: { T04: 'a' } }, 'urgent');
      await eventually(() => store.patches.length > 0, 3000, 'a write after 12 failures');
      assert.deepEqual(store.status('n').timeline, { T04: 'a' });
      batcher.close();
    });

    it('merges nested timeline and remediation fields, nulls included', () => {
      const running = { state: 'Running' as const, attempts: 0, message: null, time: null };
      const done = { state: 'Done' as const, attempts: 1, message: 'ok', time: null };
      assert.deepEqual(
        mergePatches(
          { timeline: { T04: 'a', T05: null }, remediation: { forceDown: running } },
          { timeline: { T05: 'b' }, remediation: { taint: done }, novaServiceId: 'x' },
        ),
        {
          timeline: { T04: 'a', T05: 'b' },
          remediation: { forceDown: running, taint: done },
          novaServiceId: 'x',
        },
      );
    });
  });

  it('taint: NoSchedule with the fault id as a valid label value', () => {
    assert.deepEqual(hostDownTaint('0123456789abcdef'), {
      key: 'doctor.io/host-down',
      value: '0123456789abcdef',
      effect: 'NoSchedule',
    });
    const odd = hostDownTaint(`-${'x'.repeat(80)}/y`);
    assert.match(odd.value, /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/);
  });

  it('notification entries carry server and project, and are recognised by recomputing their id', () => {
    const facts = { faultId: 'f1', host: 'h', time: new Date().toISOString() };
    const [out] = serverNotifications('host.down', facts, { id: 's1', projectId: 'p1', state: 'error' }, [
      target(),
    ]);
    assert.ok(out);
    assert.equal(out.entry.server, 's1');
    assert.equal(out.entry.project, 'p1');
    assert.equal(out.entry.id, out.prepared.id);
    assert.equal(belongsToFault(out.entry, 'f1', 'h'), true);
    assert.equal(belongsToFault(out.entry, 'f2', 'h'), false);
    assert.deepEqual(
      serverNotifications('host.down', facts, { id: 's1', projectId: 'p1', state: 'error' }, [
        target({ projects: ['p2'] }),
      ]),
      [],
    );
  });
});

// Which hosts maintenance looks at, from plain caches: nothing before every cache is synced (every Node
// would look uncordoned, every host released), a host whose Node is missing is unseen, never taken for an
// uncordon, and hosts of a paused policy are told apart from released ones. A leader that steps down
// closes the Nova clients its maintenance built.
import assert from 'node:assert/strict';
import type * as k8s from '@kubernetes/client-node';
import type { FaultPolicy, HostHealth } from '../../../src/api/types.js';
import { createLogger } from '../../../src/observability/logger.js';
import type { NovaApi } from '../../../src/openstack/index.js';
import { hostViews, LeaderMaintenance } from '../../../src/operator/maintenance-wiring.js';
import type { CoalescingStatusWriter } from '../../../src/runtime/coalescing-status-writer.js';
import type { EventRecorder } from '../../../src/runtime/event-recorder.js';
import { policy as basePolicy } from './fixtures.js';

function cache<T extends { metadata?: { name?: string } }>(items: T[], hasSynced = true) {
  return {
    hasSynced,
    list: () => items,
    get: (name: string) => items.find((i) => i.metadata?.name === name),
  };
}

const policy: FaultPolicy = (() => {
  const p = basePolicy('p', { role: 'compute' });
  p.spec.actions.nova = {
    cloudSecretRef: { name: 'clouds', key: 'clouds.yaml' },
    cloud: 'openstack',
    forceDown: true,
    resetServers: false,
    disabledReason: 'doctor',
    unforceOnRecovery: true,
  };
  return p;
})();

const hostHealth = (name: string): HostHealth => ({
  apiVersion: 'doctor.io/v1alpha1',
  kind: 'HostHealth',
  metadata: { name },
  spec: { policy: 'p', maintenance: { enabled: false } },
  status: {
    maintenance: { sessionId: `${name}-1`, trigger: 'cordon', phase: 'HostEmpty', startedTime: 't' },
  },
});

const node = (name: string, unschedulable: boolean): k8s.V1Node => ({
  metadata: { name },
  spec: { unschedulable },
});

describe('maintenance host views', function () {
  const caches = (nodes: k8s.V1Node[], synced = true, policies = [policy]) => ({
    hostHealths: cache([hostHealth('a'), hostHealth('b')]),
    policies: cache(policies),
    nodes: cache(nodes, synced),
  });

  it('sees nothing while the Node cache has no complete LIST', function () {
    assert.equal(hostViews(caches([], false)), undefined);
  });

  it('sees nothing while the HostHealth or policy cache has no complete LIST', function () {
    const nodes = cache([node('a', true), node('b', true)]);
    assert.equal(
      hostViews({ nodes, policies: cache([policy]), hostHealths: cache([hostHealth('a')], false) }),
      undefined,
    );
    assert.equal(hostViews({ nodes, policies: cache([policy], false), hostHealths: cache([]) }), undefined);
  });

  it('tells hosts of a paused policy apart: neither viewed nor released', function () {
    const paused = structuredClone(policy);
    paused.spec.paused = true;
    const wanted = hostViews(caches([node('a', true), node('b', false)], true, [paused]));
    assert.deepEqual(wanted?.views, []);
    assert.deepEqual([...(wanted?.paused ?? [])], ['a', 'b']);
    assert.deepEqual(wanted?.hosts, []);
  });

  it('reads the cordon of present Nodes and leaves hosts without a Node unseen', function () {
    const wanted = hostViews(caches([node('a', true)]));
    assert.deepEqual(
      wanted?.views.map((v) => [v.node, v.cordoned]),
      [['a', true]],
    );
    assert.deepEqual([...(wanted?.unseen ?? [])], ['b']);
    assert.deepEqual(
      wanted?.hosts.map((h) => h.metadata.name),
      ['a', 'b'],
    );
  });

  it('takes an uncordoned Node as the end of a cordon', function () {
    const wanted = hostViews(caches([node('a', false), node('b', true)]));
    assert.deepEqual(
      wanted?.views.map((v) => [v.node, v.cordoned]),
      [
        ['a', false],
        ['b', true],
      ],
    );
    assert.equal(wanted?.unseen.size, 0);
  });
});

describe('maintenance on the leader', function () {
  it('closes the Nova clients it built when leadership ends', async function () {
    const host: HostHealth = {
      apiVersion: 'doctor.io/v1alpha1',
      kind: 'HostHealth',
      metadata: { name: 'a' },
      spec: { policy: 'p', maintenance: { enabled: true } },
    };
    const built: string[] = [];
    let closed = 0;
    const events: string[] = [];
    const core = {
      readNamespacedSecret: () =>
        Promise.resolve({ data: { 'clouds.yaml': Buffer.from('clouds: {}').toString('base64') } }),
    } as unknown as k8s.CoreV1Api;
    const leader = new LeaderMaintenance({
      core,
      namespace: 'doctor',
      hostStatus: { write: () => Promise.resolve() } as unknown as CoalescingStatusWriter,
      events: {
        record: (_t: unknown, _type: string, reason: string) => (events.push(reason), Promise.resolve()),
      } as unknown as EventRecorder,
      log: createLogger('maintenance-test', 'error'),
      hostHealths: cache([host]),
      policies: cache([policy]),
      nodes: cache<k8s.V1Node>([{ metadata: { name: 'a' }, spec: {} }]),
      replyBaseUrl: () => 'http://127.0.0.1:1',
      novaFactory: (_yaml, cloud) => {
        built.push(cloud);
        // A client without the maintenance calls: the job is not built, the client stays cached.
        return Promise.resolve({ nova: {} as NovaApi, close: () => void closed++ });
      },
    });
    leader.activate();
    await leader.settled('a');
    assert.deepEqual(built, ['openstack']);
    assert.deepEqual(events, ['MaintenanceStepFailed']);
    assert.equal(closed, 0, 'open while leading');
    leader.stop();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(closed, 1, 'closed on step-down');
  });
});

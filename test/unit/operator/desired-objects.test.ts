import assert from 'node:assert/strict';
import { desiredMonitorConfigMap } from '../../../src/operator/desired/configmap.js';
import {
  defaultMonitorResources,
  desiredMonitorDaemonSet,
  monitorSettingsAnnotation,
} from '../../../src/operator/desired/daemonset.js';
import { novaHostOf } from '../../../src/operator/desired/hosthealth.js';
import { monitorConfig, resolveMonitoredHosts } from '../../../src/operator/desired/monitor-config.js';
import { monitorDaemonSetName } from '../../../src/operator/desired/names.js';
import { node, policy } from './fixtures.js';

const options = {
  namespace: 'doctor-system',
  image: 'doctor-operator:test',
  serviceAccountName: 'doctor-monitor',
  tokenAudience: 'doctor-inspector',
};

const config = { hosts: [] } as unknown as Parameters<typeof desiredMonitorConfigMap>[2];

describe('desired monitor objects', function () {
  it('runs doctor monitor on the host network with NET_RAW only, tolerating every taint, owned by the policy', function () {
    const ds = desiredMonitorDaemonSet(policy('p', { role: 'compute' }), options);
    const pod = ds.spec!.template.spec!;
    const container = pod.containers[0]!;
    assert.equal(pod.hostNetwork, true);
    assert.deepEqual(container.command, [
      'node',
      '--max-opt=2',
      '--single-threaded',
      '/app/dist/src/cli.js',
      'monitor',
      '--config',
      '/etc/doctor/monitor.json',
      '--alive-file',
      '/run/doctor/alive',
    ]);
    assert.deepEqual(container.securityContext!.capabilities, { drop: ['ALL'], add: ['NET_RAW'] });
    assert.deepEqual(pod.tolerations, [{ operator: 'Exists' }]);
    assert.equal(
      container.env!.find((e) => e.name === 'NODE_NAME')!.valueFrom!.fieldRef!.fieldPath,
      'spec.nodeName',
    );
    const token = pod.volumes!.find((v) => v.name === 'inspector-token')!.projected!.sources![0]!
      .serviceAccountToken!;
    assert.equal(token.audience, 'doctor-inspector');
    assert.deepEqual(
      ds.metadata!.ownerReferences!.map((r) => [r.kind, r.name, r.controller]),
      [['FaultPolicy', 'p', true]],
    );
    assert.deepEqual(
      pod.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms,
      [{ matchExpressions: [{ key: 'role', operator: 'In', values: ['compute'] }] }],
    );
  });

  it('names, pulls, prioritises, sizes and probes the monitors as the installation says', function () {
    const p = policy('p', { role: 'compute' });
    const ds = desiredMonitorDaemonSet(p, {
      ...options,
      namePrefix: 'ops-monitor',
      imagePullPolicy: 'Always',
      imagePullSecrets: ['registry-a', 'registry-b'],
      priorityClassName: 'system-node-critical',
      resources: { requests: { cpu: '50m' } },
    });
    assert.equal(ds.metadata!.name, 'ops-monitor-p');
    const pod = ds.spec!.template.spec!;
    assert.equal(pod.volumes!.find((v) => v.name === 'config')!.configMap!.name, 'ops-monitor-p');
    assert.equal(desiredMonitorConfigMap(p, 'ns', config, 'ops-monitor').metadata!.name, 'ops-monitor-p');
    assert.deepEqual(pod.imagePullSecrets, [{ name: 'registry-a' }, { name: 'registry-b' }]);
    assert.equal(pod.priorityClassName, 'system-node-critical');
    const container = pod.containers[0]!;
    assert.equal(container.imagePullPolicy, 'Always');
    assert.deepEqual(container.resources, { requests: { cpu: '50m' } });
  });

  it('by default: the former names, no pull secret or priority, resources from the monitor benchmark, a liveness probe', function () {
    const ds = desiredMonitorDaemonSet(policy('p', {}), options);
    assert.equal(ds.metadata!.name, 'doctor-monitor-p');
    const pod = ds.spec!.template.spec!;
    assert.equal(pod.imagePullSecrets, undefined);
    assert.equal(pod.priorityClassName, undefined);
    const container = pod.containers[0]!;
    assert.equal(container.imagePullPolicy, 'IfNotPresent');
    assert.deepEqual(container.resources, defaultMonitorResources);
    assert.deepEqual(container.livenessProbe!.exec!.command, [
      'doctor',
      'monitor',
      '--check-alive',
      '/run/doctor/alive',
    ]);
    // The probe's file lives in memory, writable under the read-only root filesystem.
    assert.deepEqual(pod.volumes!.find((v) => v.name === 'run')!.emptyDir, {
      medium: 'Memory',
      sizeLimit: '1Mi',
    });
    assert.ok(container.volumeMounts!.some((m) => m.name === 'run' && m.mountPath === '/run/doctor'));
  });

  it('rolls the DaemonSet when probe settings change, not otherwise', function () {
    const a = policy('p', { role: 'compute' });
    const b = policy('p', { role: 'compute' });
    b.spec.monitor.intervalMilliseconds = 50;
    const c = policy('p', { role: 'compute' });
    c.spec.detection.quorum = 1;
    const hash = (p: typeof a) =>
      desiredMonitorDaemonSet(p, options).spec!.template.metadata!.annotations![monitorSettingsAnnotation];
    assert.notEqual(hash(a), hash(b));
    assert.equal(hash(a), hash(c));
  });

  it('keeps generated names within 63 characters and distinct', function () {
    const long1 = 'x'.repeat(60) + 'a';
    const long2 = 'x'.repeat(60) + 'b';
    assert.ok(monitorDaemonSetName(long1).length <= 63);
    assert.notEqual(monitorDaemonSetName(long1), monitorDaemonSetName(long2));
  });

  it('lists hosts sorted with their probe address and reports nodes without one', function () {
    const p = policy('p', {});
    const { hosts, withoutAddress } = resolveMonitoredHosts(p, [
      node('b', {}, '198.18.0.2'),
      node('a', {}, '198.18.0.1'),
      node('c', {}),
    ]);
    assert.deepEqual(hosts, [
      { name: 'a', address: '198.18.0.1' },
      { name: 'b', address: '198.18.0.2' },
    ]);
    assert.deepEqual(withoutAddress, ['c']);
    const config = monitorConfig(p, hosts, 'http://inspector:12345/events');
    assert.equal(config.failureThreshold, 2);
    assert.equal(config.inspectorUrl, 'http://inspector:12345/events');
  });

  it('takes the Nova host name from the policy label, else the node name', function () {
    const p = policy('p', {});
    assert.equal(novaHostOf(p, node('n1', { 'nova/host': 'h1' })), 'n1');
    p.spec.novaHostLabel = 'nova/host';
    assert.equal(novaHostOf(p, node('n1', { 'nova/host': 'h1' })), 'h1');
    assert.equal(novaHostOf(p, node('n2', {})), 'n2');
  });
});

import assert from 'node:assert/strict';
import type * as k8s from '@kubernetes/client-node';
import { resolveMonitoredHosts } from '../../../src/operator/desired/monitor-config.js';
import { keepPolicyFields, nodePolicyPrune } from '../../../src/operator/node-fields.js';
import { pruneJson } from '../../../src/runtime/json-prune.js';
import { assignNodes } from '../../../src/operator/desired/node-assignment.js';
import { policy } from './fixtures.js';

function kubeletNode(): k8s.V1Node {
  return {
    metadata: {
      name: 'compute-1',
      labels: { role: 'compute' },
      annotations: { 'csi.volume.kubernetes.io/nodeid': '{"driver":"compute-1"}' },
      resourceVersion: '42',
    },
    spec: { podCIDR: '10.0.1.0/24' },
    status: {
      addresses: [
        { type: 'InternalIP', address: '198.18.0.7' },
        { type: 'Hostname', address: 'compute-1' },
      ],
      conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: new Date() }],
      images: [{ names: ['registry/image:1'], sizeBytes: 1 }],
      capacity: { cpu: '8' },
      nodeInfo: { kernelVersion: '6.1' } as k8s.V1NodeSystemInfo,
    },
  };
}

describe('Node fields the operator keeps', () => {
  it('keeps metadata but annotations, spec and addresses and drops the rest of the status', () => {
    const node = kubeletNode();
    const kept = keepPolicyFields(node);
    assert.equal(kept, node, 'trimmed in place (the informer caches this very object)');
    assert.deepEqual(kept.status, { addresses: kubeletNode().status!.addresses });
    const { annotations, ...unannotated } = kubeletNode().metadata!;
    assert.ok(annotations);
    assert.deepEqual(kept.metadata, unannotated);
    assert.deepEqual(kept.spec, kubeletNode().spec);
  });

  it('leaves what policies read of a Node intact: selection and address', () => {
    const p = policy('p', { role: 'compute' });
    const kept = keepPolicyFields(kubeletNode());
    assert.deepEqual(resolveMonitoredHosts(p, [kept]), resolveMonitoredHosts(p, [kubeletNode()]));
    assert.deepEqual(resolveMonitoredHosts(p, [kept]).hosts, [{ name: 'compute-1', address: '198.18.0.7' }]);
    assert.deepEqual(
      [...assignNodes([p], [kept], new Map()).get('p')!.owned],
      [kept],
      'selected by its labels',
    );
  });

  it('drops annotations from a watch event before it is parsed, as from a listed Node', () => {
    const text = Buffer.from(JSON.stringify(kubeletNode()));
    const pruned = JSON.parse(pruneJson(text, nodePolicyPrune)!) as k8s.V1Node;
    assert.deepEqual(pruned, JSON.parse(JSON.stringify(keepPolicyFields(kubeletNode()))));
  });

  it('copes with a Node without status or addresses', () => {
    assert.deepEqual(keepPolicyFields({ metadata: { name: 'n' } }), { metadata: { name: 'n' } });
    assert.deepEqual(keepPolicyFields({ metadata: { name: 'n' }, status: { phase: 'Running' } }).status, {});
  });
});

import assert from 'node:assert/strict';
import { sameContent } from '../../../src/runtime/same-content.js';

function node(resourceVersion: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'Node',
    metadata: { name: 'n1', resourceVersion, labels: { zone: 'a' } },
    spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] },
    status: { addresses: [{ type: 'InternalIP', address: '198.18.0.1' }] },
    ...extra,
  };
}

describe('sameContent', function () {
  it('ignores the resourceVersion only', function () {
    assert.equal(sameContent(node('1'), node('2')), true);
    assert.equal(sameContent(node('1'), node('1')), true);
  });

  it('sees any other difference, at any depth, in members, arrays and values', function () {
    const changed = [
      node('2', { metadata: { name: 'n1', resourceVersion: '2', labels: { zone: 'b' } } }),
      node('2', { metadata: { name: 'n1', resourceVersion: '2', labels: { zone: 'a' }, uid: 'u' } }),
      node('2', { metadata: { name: 'n1', resourceVersion: '2' } }),
      node('2', { spec: { taints: [] } }),
      node('2', { spec: { taints: [{ key: 'k', effect: 'NoExecute' }] } }),
      node('2', { spec: { taints: { 0: { key: 'k', effect: 'NoSchedule' } } } }),
      node('2', { spec: {} }),
      node('2', { spec: null }),
      node('2', { status: { addresses: [{ type: 'InternalIP', address: '198.18.0.2' }] } }),
      node('2', { status: { addresses: [{ type: 'InternalIP', address: '198.18.0.1' }], phase: 'x' } }),
      node('2', { extra: 1 }),
      node('2', { metadata: null }),
    ];
    for (const next of changed) {
      assert.equal(sameContent(node('1'), next), false, JSON.stringify(next));
      assert.equal(sameContent(next, node('1')), false, JSON.stringify(next));
    }
    const { spec: _spec, ...noSpec } = node('2');
    assert.equal(sameContent(node('1'), noSpec), false);
    assert.equal(sameContent(noSpec, node('1')), false);
    assert.equal(sameContent({ metadata: null }, { metadata: null }), true);
  });
});

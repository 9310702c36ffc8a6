import assert from 'node:assert/strict';
import { assignNodes } from '../../../src/operator/desired/node-assignment.js';
import { node, policy } from './fixtures.js';

describe('node assignment between policies', function () {
  const nodes = [
    node('n1', { a: 'y' }),
    node('n2', { a: 'y', b: 'y' }),
    node('n3', { b: 'y' }),
    node('n4', {}),
  ];
  const first = policy('first', { a: 'y' }, '2026-01-01T00:00:00Z');
  const second = policy('second', { b: 'y' }, '2026-01-02T00:00:00Z');

  it('gives each policy the nodes its selector matches', function () {
    const result = assignNodes([first], nodes, new Map());
    assert.deepEqual(
      result.get('first')!.owned.map((n) => n.metadata!.name),
      ['n1', 'n2'],
    );
    assert.deepEqual(result.get('first')!.conflicts, []);
  });

  it('gives a contested node to the oldest policy and reports the conflict on both', function () {
    const result = assignNodes([second, first], nodes, new Map());
    assert.deepEqual(
      result.get('first')!.owned.map((n) => n.metadata!.name),
      ['n1', 'n2'],
    );
    assert.deepEqual(
      result.get('second')!.owned.map((n) => n.metadata!.name),
      ['n3'],
    );
    assert.deepEqual(result.get('first')!.conflicts, [{ node: 'n2', owner: 'first', others: ['second'] }]);
    assert.deepEqual(result.get('second')!.conflicts, [{ node: 'n2', owner: 'first', others: ['first'] }]);
  });

  it('leaves a contested node with the policy that already holds its HostHealth', function () {
    const result = assignNodes([first, second], nodes, new Map([['n2', 'second']]));
    assert.deepEqual(
      result.get('second')!.owned.map((n) => n.metadata!.name),
      ['n2', 'n3'],
    );
    assert.equal(result.get('first')!.conflicts[0]!.owner, 'second');
  });

  it('ignores a policy being deleted', function () {
    const deleting = { ...first, metadata: { ...first.metadata, deletionTimestamp: '2026-01-03T00:00:00Z' } };
    const result = assignNodes([deleting, second], nodes, new Map([['n2', 'first']]));
    assert.equal(result.has('first'), false);
    assert.deepEqual(
      result.get('second')!.owned.map((n) => n.metadata!.name),
      ['n2', 'n3'],
    );
  });
});

import assert from 'node:assert/strict';
import { matchesSelector } from '../../../src/operator/desired/selector.js';

describe('label selector matching', function () {
  const labels = { role: 'compute', zone: 'a' };
  const cases: [string, Parameters<typeof matchesSelector>[1], boolean][] = [
    ['matchLabels equal', { matchLabels: { role: 'compute' } }, true],
    ['matchLabels different value', { matchLabels: { role: 'storage' } }, false],
    ['matchLabels missing key', { matchLabels: { rack: '1' } }, false],
    ['In', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }, true],
    ['In not listed', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, false],
    ['In missing key', { matchExpressions: [{ key: 'rack', operator: 'In', values: ['a'] }] }, false],
    ['NotIn listed', { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, false],
    ['NotIn missing key', { matchExpressions: [{ key: 'rack', operator: 'NotIn', values: ['a'] }] }, true],
    ['Exists', { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, false],
    [
      'both parts must hold',
      {
        matchLabels: { role: 'compute' },
        matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }],
      },
      false,
    ],
    ['empty selector matches all', {}, true],
  ];
  for (const [name, selector, expected] of cases) {
    it(name, () => assert.equal(matchesSelector(labels, selector), expected));
  }
});

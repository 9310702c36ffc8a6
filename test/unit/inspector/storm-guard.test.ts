import assert from 'node:assert/strict';
import { effectiveQuorum } from '../../../src/inspector/quorum.js';
import { guardStorm, parseMaxUnhealthy, unhealthyLimit } from '../../../src/inspector/storm-guard.js';

describe('inspector storm guard and quorum math', function () {
  it('reads maxUnhealthy as a count or a percentage', function () {
    assert.deepEqual(parseMaxUnhealthy(3), { kind: 'count', value: 3 });
    assert.deepEqual(parseMaxUnhealthy('20%'), { kind: 'percent', value: 20 });
    assert.deepEqual(parseMaxUnhealthy('0%'), { kind: 'percent', value: 0 });
    assert.deepEqual(parseMaxUnhealthy('100%'), { kind: 'percent', value: 100 });
    for (const bad of [-1, 1.5, NaN, '101%', '20', '%', '-5%', '2.5%', ' 5%']) {
      assert.equal(typeof parseMaxUnhealthy(bad), 'string', String(bad));
    }
  });

  it('rounds a percentage of the monitored hosts up (a small cloud still fences one host)', function () {
    assert.equal(unhealthyLimit('20%', 10), 2);
    assert.equal(unhealthyLimit('20%', 9), 2);
    assert.equal(unhealthyLimit('20%', 4), 1);
    assert.equal(unhealthyLimit('20%', 3), 1);
    assert.equal(unhealthyLimit('0%', 3), 0);
    assert.equal(unhealthyLimit('100%', 7), 7);
    assert.equal(unhealthyLimit(3, 1), 3);
    assert.throws(() => unhealthyLimit('x', 3), /protection\.maxUnhealthy/);
  });

  it('acts on all candidates when they fit, on none when they do not', function () {
    assert.deepEqual(guardStorm(0, ['a', 'b'], 2), { act: ['a', 'b'], held: [] });
    assert.deepEqual(guardStorm(1, ['a', 'b'], 2), { act: [], held: ['a', 'b'] });
    assert.deepEqual(guardStorm(2, [], 2), { act: [], held: [] });
    assert.deepEqual(guardStorm(0, ['a'], 0), { act: [], held: ['a'] });
  });

  it('caps quorum at the observers that exist, never below 1', function () {
    assert.equal(effectiveQuorum(2, 3), 2);
    assert.equal(effectiveQuorum(3, 2), 2);
    assert.equal(effectiveQuorum(2, 0), 1);
  });
});

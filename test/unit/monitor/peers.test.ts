import assert from 'node:assert/strict';
import fc from 'fast-check';
import { observerCount, observersOf, ringKey, watchedBy } from '../../../src/contracts/observer-ring.js';

const hosts = (names: string[]): Array<{ name: string }> => names.map((name) => ({ name }));
const names = (list: Array<{ name: string }>): string[] => list.map((h) => h.name);

/** Every (observer, target) pair, computed from each observer's own view (as the monitors do). */
function pairs(list: string[], peers: number): Set<string> {
  const out = new Set<string>();
  for (const observer of list) {
    for (const target of watchedBy(hosts(list), observer, peers)) out.add(`${observer}>${target.name}`);
  }
  return out;
}

const nodeSet = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), { minLength: 1, maxLength: 40 });

describe('peer assignment', () => {
  it('watches the hosts before it on the ring ordered by the hash of the name', () => {
    const list = hosts(['c', 'a', 'd', 'b', 'e']);
    const ring = [...list].map((h) => h.name).sort((x, y) => (ringKey(x) < ringKey(y) ? -1 : 1));
    const at = (i: number): string => ring[(i + ring.length) % ring.length]!;
    for (let i = 0; i < ring.length; i++) {
      assert.deepEqual(names(watchedBy(list, at(i), 2)), [at(i - 1), at(i - 2)]);
      assert.deepEqual(names(observersOf(list, at(i), 2)), [at(i + 1), at(i + 2)]);
    }
  });

  it('spreads alike-named nodes: rack-1 hosts are not only watched by rack-1 hosts', () => {
    const list = hosts([
      ...Array.from({ length: 10 }, (_, i) => `rack1-n${i}`),
      ...Array.from({ length: 10 }, (_, i) => `rack2-n${i}`),
    ]);
    const watchedOnlyByOwnRack = list
      .filter((h) => h.name.startsWith('rack1'))
      .filter((h) => observersOf(list, h.name, 3).every((o) => o.name.startsWith('rack1')));
    assert.ok(
      watchedOnlyByOwnRack.length < 5,
      `${watchedOnlyByOwnRack.length} rack-1 hosts have only rack-1 observers`,
    );
  });

  it('caps the observer count at n - 1 and handles tiny and foreign inputs', () => {
    assert.equal(observerCount(1, 3), 0);
    assert.equal(observerCount(3, 3), 2);
    assert.deepEqual(watchedBy(hosts(['a']), 'a', 3), []);
    assert.deepEqual(names(watchedBy(hosts(['a', 'b']), 'a', 3)), ['b']);
    assert.deepEqual(watchedBy(hosts(['a', 'b']), 'zz', 3), []);
    assert.deepEqual(observersOf(hosts(['a', 'b']), 'zz', 3), []);
  });

  it('gives every host exactly min(peers, n - 1) observers and never itself (property)', () => {
    fc.assert(
      fc.property(nodeSet, fc.integer({ min: 1, max: 8 }), (list, peers) => {
        const all = pairs(list, peers);
        const expected = observerCount(list.length, peers);
        for (const target of list) {
          const observers = list.filter((o) => all.has(`${o}>${target}`));
          assert.equal(observers.length, expected);
          assert.ok(!observers.includes(target));
          // The monitors' own view agrees with observersOf.
          assert.deepEqual([...observers].sort(), names(observersOf(hosts(list), target, peers)).sort());
        }
      }),
    );
  });

  it('moves few assignments when one node joins or leaves (property)', () => {
    fc.assert(
      fc.property(
        nodeSet,
        fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/),
        fc.integer({ min: 1, max: 8 }),
        (list, extra, peers) => {
          fc.pre(!list.includes(extra));
          const before = pairs(list, peers);
          const after = pairs([...list, extra], peers);
          let changed = 0;
          for (const p of before) if (!after.has(p)) changed++;
          for (const p of after) if (!before.has(p)) changed++;
          // The newcomer's own pairs (<= 2 * peers) plus the pairs it displaces (<= peers).
          assert.ok(
            changed <= 3 * peers,
            `${changed} assignments changed for peers=${peers}, n=${list.length}`,
          );
        },
      ),
    );
  });

  it('does not depend on the order of the host list (property)', () => {
    fc.assert(
      fc.property(nodeSet, fc.integer({ min: 1, max: 5 }), (list, peers) => {
        const reversed = [...list].reverse();
        for (const node of list) {
          assert.deepEqual(
            names(watchedBy(hosts(list), node, peers)),
            names(watchedBy(hosts(reversed), node, peers)),
          );
        }
      }),
    );
  });
});

// A report's cost must not grow with the number of hosts: the engine judges only the hosts whose
// evidence the report can change (counted through the engine's onJudged hook).
import assert from 'node:assert/strict';
import { createCorrelationEngine } from '../../../src/inspector/engine.js';
import { down, engineConfig, heartbeat, kinds, t0 } from './events-fixture.js';

const name = (index: number, count: number) => `h${(index + count) % count}`;

/** A ring: each host is watched by the next three, as the monitors' peer assignment does. */
function ring(count: number) {
  const hosts = Array.from({ length: count }, (_, index) => name(index, count));
  const observers = Object.fromEntries(
    hosts.map((host, index) => [host, [1, 2, 3].map((step) => name(index + step, count))]),
  );
  let judged = 0;
  const engine = createCorrelationEngine(engineConfig(hosts, { observers }), {
    onJudged: (hostCount) => (judged += hostCount),
  });
  const peersOf = (index: number) =>
    Object.fromEntries([1, 2, 3].map((step) => [name(index - step, count), 'up' as const]));
  const measure = (act: () => unknown) => {
    judged = 0;
    act();
    return judged;
  };
  return { engine, peersOf, measure };
}

/** Hosts judged by: the last monitor's first heartbeat, a repeat, one down, and the quorum's second down. */
function costs(count: number) {
  const { engine, peersOf, measure } = ring(count);
  engine.tick(t0);
  for (let index = 0; index < count - 1; index++)
    engine.observe([heartbeat(name(index, count), peersOf(index), t0)], t0);
  const last = count - 1;
  const first = measure(() =>
    engine.observe([heartbeat(name(last, count), peersOf(last), t0 + 10)], t0 + 10),
  );
  const repeat = measure(() =>
    engine.observe([heartbeat(name(last, count), peersOf(last), t0 + 20)], t0 + 20),
  );
  const oneDown = measure(() => engine.observe([down('h5', 'h6', t0 + 30)], t0 + 30));
  let decisions: string[] = [];
  const quorum = measure(() => (decisions = kinds(engine.observe([down('h5', 'h7', t0 + 40)], t0 + 40))));
  return { first, repeat, oneDown, quorum, decisions };
}

describe('inspector engine cost at scale', function () {
  it('judges the same few hosts per report whether there are 20 hosts or 1000', function () {
    const small = costs(20);
    const large = costs(1000);
    assert.ok(small.first > 0 && small.oneDown > 0 && small.quorum > 0, 'reports are judged');
    assert.equal(small.repeat, 0, 'a repeated heartbeat decides nothing and judges nothing');
    assert.deepEqual(large, small);
    assert.ok(large.first < 20, `a first heartbeat judged ${large.first} hosts`);
    // The quorum still declares the host Down, and it stops being a witness for the hosts it watches.
    assert.ok(large.decisions.includes('hostDown:h5'), large.decisions.join(' '));
  });
});

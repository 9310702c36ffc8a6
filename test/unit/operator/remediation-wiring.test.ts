// Remediation's taints and Events start on the next turn of the event loop, after the Nova requests
// its job made in the same turn.
import assert from 'node:assert/strict';
import {
  eventsAfterThisTurn,
  taintsAfterThisTurn,
  TurnGate,
} from '../../../src/operator/remediation-wiring.js';
import type { EventSink, NodeTainter } from '../../../src/remediation/ports.js';

describe('remediation wiring', function () {
  it('starts taints and Events on the next turn, and passes their outcome back', async function () {
    const calls: string[] = [];
    const tainter: NodeTainter = {
      ensureTaint: (node) => (calls.push(`taint ${node}`), Promise.resolve('added')),
      removeTaint: (node) => (calls.push(`untaint ${node}`), Promise.reject(new Error('no such Node'))),
    };
    const events: EventSink = {
      record: (target, _type, reason) => (calls.push(`${reason} on ${target.name}`), Promise.resolve()),
    };
    const deferredTaints = taintsAfterThisTurn(tainter);
    const deferredEvents = eventsAfterThisTurn(events);
    const taint = deferredTaints.ensureTaint('n1', { key: 'k', value: 'v', effect: 'NoExecute' });
    const untaint = deferredTaints.removeTaint('n2', 'k', 'NoExecute');
    const event = deferredEvents.record(
      { apiVersion: 'v1', kind: 'Node', name: 'n1' },
      'Normal',
      'NodeTainted',
      'm',
    );
    // Microtasks of this turn (the job's promise chains up to its Nova requests) come first.
    for (let i = 0; i < 20; i++) await Promise.resolve();
    assert.deepEqual(calls, [], 'nothing starts in the turn that asked');
    assert.equal(await taint, 'added');
    await assert.rejects(untaint, /no such Node/);
    await event;
    assert.deepEqual(calls, ['taint n1', 'untaint n2', 'NodeTainted on n1']);
  });
});

describe('turn gate', function () {
  it('lets the first caller of a turn go at once and each further one a turn later, in order', async function () {
    const gate = new TurnGate();
    const started: string[] = [];
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    const all = ['a', 'b', 'c'].map((name) => gate.take().then(() => started.push(name)));
    await Promise.resolve();
    assert.deepEqual(started, ['a'], 'only the first starts in the calling turn');
    await turn();
    assert.deepEqual(started, ['a', 'b']);
    await turn();
    assert.deepEqual(started, ['a', 'b', 'c']);
    await Promise.all(all);
    await turn();
    await turn();
    // Idle again: the next caller goes at once.
    const late = gate.take().then(() => started.push('d'));
    await Promise.resolve();
    assert.deepEqual(started.at(-1), 'd');
    await late;
  });
});

// The engine's memory at scale: a heartbeat must cost O(the reporter's peers), whatever the host count,
// and the constant-time ineligibility check must judge exactly like the full one.
import assert from 'node:assert/strict';
import type { VerdictRecord } from '../../../src/inspector/reports.js';
import {
  applyEvent,
  ineligibilityView,
  ineligibleObservers,
  newEngineState,
  newHostRecord,
  type EngineState,
} from '../../../src/inspector/engine-state.js';
import { heartbeat, t0 } from './events-fixture.js';

/** A verdict map that counts lookups, so a test can see how many hosts a heartbeat visited. */
class CountingVerdicts extends Map<string, VerdictRecord> {
  static lookups = 0;
  override get(key: string): VerdictRecord | undefined {
    CountingVerdicts.lookups++;
    return super.get(key);
  }
}

function stateWithHosts(count: number): EngineState {
  const state = newEngineState();
  for (let index = 0; index < count; index++) {
    const host = newHostRecord(`node-${index}`, false);
    host.verdicts = new CountingVerdicts();
    state.hosts.set(host.name, host);
  }
  return state;
}

/** Lookups made by one steady-state heartbeat of node-0 about three peers, after a first one. */
function lookupsPerHeartbeat(hosts: number): number {
  const state = stateWithHosts(hosts);
  const peers = { 'node-1': 'up', 'node-2': 'up', 'node-3': 'up' } as const;
  assert.equal(applyEvent(state, heartbeat('node-0', peers, t0), t0), 'change');
  CountingVerdicts.lookups = 0;
  assert.equal(applyEvent(state, heartbeat('node-0', peers, t0 + 1000), t0 + 1000), 'repeat');
  return CountingVerdicts.lookups;
}

describe('inspector engine state at scale', () => {
  it('a heartbeat visits only the hosts its reporter watches, not every host', () => {
    const small = lookupsPerHeartbeat(10);
    assert.ok(small > 0);
    assert.equal(lookupsPerHeartbeat(2000), small);
  });

  it('still forgets the verdicts about hosts a reporter stopped listing', () => {
    const state = stateWithHosts(10);
    applyEvent(state, heartbeat('node-0', { 'node-1': 'up', 'node-2': 'down' }, t0), t0);
    const dropped: string[] = [];
    applyEvent(state, heartbeat('node-0', { 'node-1': 'up' }, t0 + 1000), t0 + 1000, dropped);
    assert.deepEqual(dropped, ['node-2'], 'named for the engine to judge again');
    assert.equal(state.hosts.get('node-2')!.verdicts.has('node-0'), false);
    assert.equal(state.hosts.get('node-2')!.forgotten.has('node-0'), true);
    assert.equal(state.hosts.get('node-1')!.verdicts.get('node-0')?.verdict, 'up');
    assert.deepEqual([...state.watchedBy.get('node-0')!], ['node-1']);
  });

  it('the per-observer ineligibility check agrees with the full set', () => {
    const state = stateWithHosts(6);
    state.hosts.get('node-1')!.maintenance = true;
    state.hosts.get('node-2')!.fault = {
      id: 'f',
      cause: 'quorum',
      evidence: [],
      reason: 'test',
      detectedAt: t0,
      firstReportReceivedAt: t0,
      declaredAt: t0,
    };
    state.isolation.set('node-3', { isolated: true, eventTime: t0, eventId: 'a' });
    state.isolation.set('node-4', { isolated: false, eventTime: t0, eventId: 'b' });
    state.isolation.set('outsider', { isolated: true, eventTime: t0, eventId: 'c' });
    const full = ineligibleObservers(state);
    const view = ineligibilityView(state);
    for (const name of [...state.hosts.keys(), 'outsider', 'stranger']) {
      assert.equal(view.has(name), full.has(name), name);
    }
    assert.deepEqual([...full].sort(), ['node-1', 'node-2', 'node-3', 'outsider']);
  });
});

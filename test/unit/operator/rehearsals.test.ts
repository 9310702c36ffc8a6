// When the leader rehearses the fault path: at the start of leadership; after a warm-up of a policy
// whose detection or actions it has not rehearsed; otherwise at most once per half warm-up period; one
// at a time. Said once at info, then at debug; a failed rehearsal is a warning and never a rejection.
import assert from 'node:assert/strict';
import type { FaultPolicy } from '../../../src/api/types.js';
import type { Logger } from '../../../src/observability/logger.js';
import { Rehearsals } from '../../../src/operator/rehearsals.js';
import { policy } from './fixtures.js';

function recordingLog(lines: string[]): Logger {
  const at = (level: string) => (message: string) => lines.push(`${level} ${message}`);
  return { info: at('info'), debug: at('debug'), warn: at('warn') } as unknown as Logger;
}

describe('rehearsal schedule', () => {
  const p = policy('p', { a: 'b' });

  it('rehearses at the start, on new settings at once, and otherwise once per half period', async () => {
    let now = 0;
    const runs: string[] = [];
    const lines: string[] = [];
    const rehearsals = new Rehearsals(
      (q?: FaultPolicy) => (runs.push(q?.metadata.name ?? 'typical'), Promise.resolve({ durationMs: 1 })),
      recordingLog(lines),
      30_000,
      () => now,
    );
    await rehearsals.atStart();
    now = 1_000;
    await rehearsals.afterWarmUp(p);
    assert.deepEqual(runs, ['typical', 'p'], 'a policy not rehearsed yet is rehearsed at once');
    now = 2_000;
    await rehearsals.afterWarmUp(p);
    assert.equal(runs.length, 2, 'same settings within half a period: no rehearsal');
    const detection = { ...p.spec.detection, quorum: 3 };
    await rehearsals.afterWarmUp({ ...p, spec: { ...p.spec, detection } });
    assert.equal(runs.length, 3, 'new detection settings are rehearsed at once');
    now = 17_000;
    await rehearsals.afterWarmUp({ ...p, spec: { ...p.spec, detection } });
    assert.equal(runs.length, 4, 'half a period later the same settings are rehearsed again');
    rehearsals.forget('p');
    now = 18_000;
    await rehearsals.afterWarmUp({ ...p, spec: { ...p.spec, detection } });
    assert.equal(runs.length, 5, 'a forgotten policy is new again');
    assert.deepEqual(lines, [
      'info fault path rehearsed in memory (nothing written)',
      ...Array.from({ length: 4 }, () => 'debug fault path rehearsed'),
    ]);
  });

  it('runs one rehearsal at a time and turns a failure into a warning', async () => {
    const lines: string[] = [];
    let finish!: (err: Error) => void;
    let runs = 0;
    const rehearsals = new Rehearsals(
      () => (++runs === 1 ? new Promise<object>((_, reject) => (finish = reject)) : Promise.resolve({})),
      recordingLog(lines),
      30_000,
    );
    const first = rehearsals.atStart();
    await rehearsals.afterWarmUp(p);
    assert.equal(runs, 1, 'no second rehearsal while one runs');
    finish(new Error('boom'));
    await first;
    assert.deepEqual(lines, ['warn the rehearsal of the fault path failed']);
    await rehearsals.afterWarmUp(p).catch(() => assert.fail('never rejects'));
    assert.equal(runs, 2);
  });
});

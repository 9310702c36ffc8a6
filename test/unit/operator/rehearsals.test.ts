// When the operator rehearses the fault path: at the start (a typical policy); after a leader's warm-up
// of a policy whose detection or actions it has not rehearsed; otherwise, to keep warm, the last policy
// again at most once per half period; one at a time. Said once at info, then at debug; a failed
// rehearsal is a warning and never a rejection.
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

  it('rehearses at the start, new settings at once, and the last policy again every half period', async () => {
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
    now = 10_000;
    await rehearsals.keepWarm();
    assert.deepEqual(runs, ['typical'], 'nothing to keep warm within half a period');
    now = 16_000;
    await rehearsals.keepWarm();
    assert.deepEqual(runs, ['typical', 'typical'], 'a standby keeps the typical policy warm');
    await rehearsals.afterWarmUp(p);
    assert.deepEqual(runs.at(-1), 'p', 'a policy not rehearsed yet is rehearsed at once');
    await rehearsals.afterWarmUp(p);
    assert.equal(runs.length, 3, 'same settings: no rehearsal');
    const detection = { ...p.spec.detection, quorum: 3 };
    await rehearsals.afterWarmUp({ ...p, spec: { ...p.spec, detection } });
    assert.equal(runs.length, 4, 'new detection settings are rehearsed at once');
    now = 32_000;
    await rehearsals.keepWarm();
    assert.deepEqual(runs.at(-1), 'p', 'the last policy is kept warm');
    rehearsals.forget('p');
    now = 48_000;
    await rehearsals.keepWarm();
    assert.deepEqual(runs.at(-1), 'typical', 'a forgotten policy is not rehearsed again');
    await rehearsals.afterWarmUp({ ...p, spec: { ...p.spec, detection } });
    assert.deepEqual(runs.at(-1), 'p', 'a forgotten policy is new again');
    assert.deepEqual(lines, [
      'info fault path rehearsed in memory (nothing written)',
      ...Array.from({ length: runs.length - 1 }, () => 'debug fault path rehearsed'),
    ]);
  });

  it('runs one rehearsal at a time and turns a failure into a warning', async () => {
    const lines: string[] = [];
    let finish!: (err: Error) => void;
    let runs = 0;
    const rehearsals = new Rehearsals(
      () => (++runs === 1 ? new Promise<object>((_, reject) => (finish = reject)) : Promise.resolve({})),
      recordingLog(lines),
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

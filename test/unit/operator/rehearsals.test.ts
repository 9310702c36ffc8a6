// When the leader rehearses the fault path: at once after a warm-up that followed a change, at most once
// per half warm-up period after periodic ones, one at a time; said once at info, then at debug; a failed
// rehearsal is a warning and never a rejection.
import assert from 'node:assert/strict';
import type { Logger } from '../../../src/observability/logger.js';
import { Rehearsals } from '../../../src/operator/rehearsals.js';
import { policy } from './fixtures.js';

function recordingLog(lines: string[]): Logger {
  const at = (level: string) => (message: string) => lines.push(`${level} ${message}`);
  return { info: at('info'), debug: at('debug'), warn: at('warn') } as unknown as Logger;
}

describe('rehearsal schedule', () => {
  const p = policy('p', { a: 'b' });

  it('rehearses after a change at once and after periodic warm-ups once per half period', async () => {
    let now = 0;
    const runs: string[] = [];
    const lines: string[] = [];
    const rehearsals = new Rehearsals(
      (q) => (runs.push(q.metadata.name), Promise.resolve({ durationMs: 1 })),
      recordingLog(lines),
      30_000,
      () => now,
    );
    await rehearsals.afterWarmUp(p, false);
    now = 1_000;
    await rehearsals.afterWarmUp(p, true);
    assert.equal(runs.length, 1, 'a periodic warm-up right after a rehearsal does not rehearse');
    await rehearsals.afterWarmUp(p, false);
    assert.equal(runs.length, 2, 'a change rehearses at once');
    now = 16_000;
    await rehearsals.afterWarmUp(p, true);
    assert.equal(runs.length, 3, 'half a period later a periodic warm-up rehearses');
    assert.deepEqual(lines, [
      'info fault path rehearsed in memory (nothing written)',
      'debug fault path rehearsed',
      'debug fault path rehearsed',
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
    const first = rehearsals.afterWarmUp(p, false);
    await rehearsals.afterWarmUp(p, false);
    assert.equal(runs, 1, 'no second rehearsal while one runs');
    finish(new Error('boom'));
    await first;
    assert.deepEqual(lines, ['warn the rehearsal of the fault path failed']);
    await rehearsals.afterWarmUp(p, false).catch(() => assert.fail('never rejects'));
    assert.equal(runs, 2);
  });
});

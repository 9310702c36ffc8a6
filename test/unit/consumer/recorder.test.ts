// The arrival record: every line written whole and before its append resolves, a burst in few writes.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArrivalRecorder } from '../../../src/consumer/recorder.js';

describe('arrival recorder', function () {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'recorder-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a burst of arrivals in a few writes, each line whole and on file once its append resolves', async function () {
    const path = join(dir, 'arrivals.jsonl');
    const recorder = await ArrivalRecorder.open(path);
    const burst = Array.from({ length: 200 }, (_, i) =>
      recorder
        .append({ receivedAtMs: i, id: `n${i}`, format: 'aodh', duplicate: false })
        .then(() => readFileSync(path, 'utf8').includes(`"id":"n${i}"`)),
    );
    const onFile = await Promise.all(burst);
    assert.ok(onFile.every(Boolean), 'every append resolves after its line is written');
    assert.ok(recorder.writes < 20, `${recorder.writes} writes for 200 lines`);
    await recorder.append({ receivedAtMs: 1000, format: 'aodh', duplicate: true });
    await recorder.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 201);
    assert.deepEqual(
      lines.slice(0, 200).map((l) => (JSON.parse(l) as { id: string }).id),
      Array.from({ length: 200 }, (_, i) => `n${i}`),
      'in the order of the appends',
    );
  });
});

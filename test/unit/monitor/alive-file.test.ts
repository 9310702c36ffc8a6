// The monitor's liveness file and the check the kubelet runs on it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aliveMaxAgeMs, checkAlive, startAliveFile } from '../../../src/monitor/alive-file.js';

describe('monitor liveness file', function () {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'doctor-alive-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is written at start and refreshed while running; the check passes while it is recent', async function () {
    const path = join(dir, 'alive');
    let now = 1_000_000;
    const alive = startAliveFile(path, assert.fail, 20, () => now);
    try {
      assert.equal(checkAlive(path, now), undefined);
      assert.match(checkAlive(path, now + aliveMaxAgeMs + 1) ?? '', /last refreshed 30 s ago \(limit 30 s\)/);
      now += aliveMaxAgeMs + 1_000;
      await new Promise((resolve) => setTimeout(resolve, 80));
      assert.equal(checkAlive(path, now), undefined, 'the timer refreshed it');
    } finally {
      alive.stop();
    }
  });

  it('fails with a reason when the file is missing or holds no time', function () {
    assert.match(checkAlive(join(dir, 'none')) ?? '', /cannot read .*none: ENOENT/);
    writeFileSync(join(dir, 'junk'), 'not a time');
    assert.match(checkAlive(join(dir, 'junk')) ?? '', /holds no time/);
  });

  it('refuses to start where it cannot write', function () {
    assert.throws(() => startAliveFile(join(dir, 'missing-folder', 'alive'), assert.fail), /ENOENT/);
  });
});

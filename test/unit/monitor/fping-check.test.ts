import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFping } from '../../../src/monitor/fping-check.js';

describe('fping check before the monitor starts', () => {
  let dir: string;
  const fake = (name: string, stderr: string, code: number): string => {
    const path = join(dir, name);
    writeFileSync(
      path,
      `#!${process.execPath}\nprocess.stderr.write(${JSON.stringify(stderr)});\nprocess.exit(${code});\n`,
    );
    chmodSync(path, 0o755);
    return path;
  };
  before(() => (dir = mkdtempSync(join(tmpdir(), 'doctor-fping-check-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('passes with the real fping', async () => {
    assert.equal(await checkFping(), undefined);
  });

  it('says to install fping when it is missing', async () => {
    assert.match((await checkFping(join(dir, 'absent'))) ?? '', /install fping in the image/);
  });

  it('says to run as user 0 when fping refuses the burst option to a non-root user', async () => {
    const path = fake('mortal', 'fping: these options are too risky for mere mortals.\n', 1);
    assert.match((await checkFping(path)) ?? '', /run the monitor as user 0/);
  });

  it('names NET_RAW when fping cannot open its socket', async () => {
    const path = fake('noraw', "fping: can't create socket (must run as root?)\n", 4);
    assert.match((await checkFping(path)) ?? '', /NET_RAW/);
  });
});

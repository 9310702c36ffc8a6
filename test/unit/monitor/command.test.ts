import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorUsage, runMonitorCommand } from '../../../src/monitor/command.js';

const main = fileURLToPath(new URL('../../../src/monitor/main.js', import.meta.url));

function runMain(args: string[], env: Record<string, string>): { status: number | null; stderr: string } {
  const { NODE_NAME: _drop, DOCTOR_MONITOR_CONFIG: _drop2, ...rest } = process.env;
  const res = spawnSync(process.execPath, [main, ...args], {
    env: { ...rest, ...env },
    encoding: 'utf8',
    timeout: 10_000,
  });
  return { status: res.status, stderr: res.stderr };
}

describe('doctor monitor command', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'doctor-cmd-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prints its help and exits 0', async () => {
    const writes: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = (chunk: string) => {
      writes.push(chunk);
      return true;
    };
    try {
      assert.equal(await runMonitorCommand(['--help']), 0);
    } finally {
      process.stdout.write = original;
    }
    assert.equal(writes.join(''), monitorUsage);
    assert.match(monitorUsage, /NODE_NAME/);
  });

  it('exits 2 on an unknown option', () => {
    const res = runMain(['--bogus'], {});
    assert.equal(res.status, 2);
    assert.match(res.stderr, /Unknown option '--bogus'/);
  });

  it('exits 1 naming the problem: no NODE_NAME, no config, an invalid setting', () => {
    const path = join(dir, 'monitor.json');
    writeFileSync(
      path,
      JSON.stringify({ inspectorUrl: 'http://127.0.0.1:1/events', intervalMilliseconds: 5, hosts: [] }),
    );
    let res = runMain(['--config', path], {});
    assert.equal(res.status, 1);
    assert.match(res.stderr, /NODE_NAME must be set/);
    res = runMain([], { NODE_NAME: 'node-a' });
    assert.equal(res.status, 1);
    assert.match(res.stderr, /--config \(or DOCTOR_MONITOR_CONFIG\) must name the configuration file/);
    res = runMain([], { NODE_NAME: 'node-a', DOCTOR_MONITOR_CONFIG: path });
    assert.equal(res.status, 1);
    assert.match(res.stderr, /intervalMilliseconds must be an integer 10\.\.60000, got 5/);
  });
});

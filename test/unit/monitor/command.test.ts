import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

  // The DaemonSet's liveness probe end to end: a running monitor keeps the file fresh, the check passes;
  // once the monitor is gone the file ages and the check fails, saying why.
  it('keeps --alive-file fresh while running, and --check-alive reads it', async function () {
    this.timeout(20_000);
    const config = join(dir, 'monitor.json');
    const alive = join(dir, 'alive');
    writeFileSync(config, JSON.stringify({ inspectorUrl: 'http://127.0.0.1:1/events', hosts: [] }));
    const { NODE_NAME: _drop, DOCTOR_MONITOR_CONFIG: _drop2, ...rest } = process.env;
    const child = spawn(process.execPath, [main, '--config', config, '--alive-file', alive], {
      env: { ...rest, NODE_NAME: 'node-a', DOCTOR_TOKEN_FILE: join(dir, 'no-token') },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const deadline = Date.now() + 10_000;
      while (!existsSync(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(existsSync(alive), 'the monitor wrote its liveness file');
      const check = spawnSync(process.execPath, [main, '--check-alive', alive], {
        encoding: 'utf8',
        timeout: 10_000,
      });
      assert.equal(check.status, 0, check.stderr);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
    // A monitor that stopped 31 s ago: as the kubelet would find its file.
    writeFileSync(alive, `${Date.now() - 31_000}\n`);
    const stale = spawnSync(process.execPath, [main, '--check-alive', alive], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    assert.equal(stale.status, 1);
    assert.match(
      stale.stderr,
      /doctor monitor: not alive: .*alive was last refreshed 31 s ago \(limit 30 s\)/,
    );
  });
});

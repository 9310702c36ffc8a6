// The doctor command as a user runs it: a real process, its output and exit code.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { runCommand } from '../../tools/cluster/exec.js';
import { repoRoot } from '../../tools/cluster/paths.js';
import { subcommands } from '../../src/cli.js';
import { version } from '../../src/util/version.js';

const cli = join(repoRoot, 'dist/src/cli.js');
const doctor = (...args: string[]) => runCommand('node', [cli, ...args], { timeoutMs: 20_000 });

describe('doctor CLI', function () {
  it('--help lists every subcommand with a one-line description and exits 0', async function () {
    const result = await doctor('--help');
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: doctor <command>/);
    for (const name of ['operator', 'monitor', 'consumer']) {
      assert.match(
        result.stdout,
        new RegExp(`^  ${name}\\s+\\S.+$`, 'm'),
        `${name} is listed with a description`,
      );
    }
  });

  it('--version prints the package version', async function () {
    const result = await doctor('--version');
    assert.equal(result.code, 0);
    assert.equal(result.stdout.trim(), `doctor-operator ${version}`);
    assert.match(version, /^\d+\.\d+\.\d+/);
  });

  it('without a command prints usage and fails as a bad command line (2)', async function () {
    const result = await doctor();
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^doctor: no command given\.\n\nUsage:/);
  });

  it('an unknown command fails with a message naming it', async function () {
    const result = await doctor('fly');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown command 'fly'/);
  });

  for (const command of subcommands) {
    it(`${command.name} --help prints its usage`, async function () {
      const result = await doctor(command.name, '--help');
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`^Usage: doctor ${command.name}`));
    });

    // Every flag the help names is one the command accepts (an unknown one would fail with exit 2), so
    // the help cannot drift from the parser.
    it(`${command.name} accepts every flag its help lists`, async function () {
      const help = (await doctor(command.name, '--help')).stdout;
      // Option lines: "  --flag VALUE  text", "  -c, --flag VALUE  text" or "  --flag[=BOOL]  text".
      const flags = [...help.matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z-]+)(\[=[A-Z]+\]| [A-Z]+)?/gm)].map(
        ([, flag, metavar]) => (metavar ? `${flag}=1` : flag!),
      );
      const unique = [...new Set(flags.map((f) => f.replace('=1', '')))];
      assert.ok(unique.length >= 4, `found only ${unique.join(' ')} in the help`);
      // --leader-elect=1 is not a boolean; --check-alive would run the check instead of the help.
      const args = flags
        .filter((f) => f !== '--help' && !f.startsWith('--check-alive'))
        .map((f) => (f.startsWith('--leader-elect') ? '--leader-elect' : f));
      const result = await doctor(command.name, ...args, '--help');
      assert.equal(result.code, 0, `doctor ${command.name} ${args.join(' ')}: ${result.stderr}`);
    });
  }

  for (const [args, message] of [
    [['operator', '--bogus'], /^doctor operator: Unknown option '--bogus'/],
    [['operator', '--leader-elect=maybe'], /--leader-elect must be true or false, got 'maybe'/],
    [
      ['operator', '--metrics-bind-address', '8080'],
      /--metrics-bind-address: '8080' is not HOST:PORT or :PORT/,
    ],
    [['operator', '--log-level', 'loud'], /--log-level must be one of debug, info, warn, error/],
    [['monitor', '--log-level', 'loud'], /^doctor monitor: --log-level must be one of/],
    [['monitor', 'extra'], /^doctor monitor: Unexpected argument 'extra'/],
    [['consumer', '--port', 'x'], /^doctor consumer: --port must be 0\.\.65535/],
    [['consumer', '--log-level=verbose'], /--log-level must be one of/],
  ] as const) {
    it(`doctor ${args.join(' ')} exits 2 naming the problem`, async function () {
      const result = await doctor(...args);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stdout, '', 'nothing started');
    });
  }

  describe('first log line', function () {
    const firstLine = (stdout: string) => JSON.parse(stdout.split('\n')[0] ?? '') as Record<string, unknown>;

    it('operator: its version, before the Kubernetes configuration is read', async function () {
      const result = await doctor('operator', '--kubeconfig', '/nonexistent/kubeconfig');
      assert.equal(result.code, 2);
      assert.match(result.stderr, /--kubeconfig \/nonexistent\/kubeconfig: no such file/);
      const line = firstLine(result.stdout);
      assert.equal(line.message, `doctor-operator ${version} starting`);
      assert.equal(line.version, version);
    });

    it('monitor: its version, before the configuration is read', async function () {
      const result = await doctor('monitor', '--config', '/nonexistent/monitor.json');
      assert.equal(result.code, 1);
      assert.equal(firstLine(result.stdout).version, version);
    });

    it('consumer: its version, then where it listens', async function () {
      const child = spawn('node', [cli, 'consumer', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      try {
        const deadline = Date.now() + 15_000;
        while (!stdout.includes('listening') && Date.now() < deadline && child.exitCode === null) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      } finally {
        child.kill('SIGTERM');
      }
      assert.equal(await exited, 0);
      const lines = stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.equal(lines[0]?.message, `doctor-operator ${version} consumer starting`);
      assert.match(String(lines[1]?.message), /listening/);
    });
  });
});

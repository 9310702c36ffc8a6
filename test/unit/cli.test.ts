// The doctor command as a user runs it: a real process, its output and exit code.
import assert from 'node:assert/strict';
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

  it('without a command prints usage and fails', async function () {
    const result = await doctor();
    assert.equal(result.code, 1);
    assert.match(result.stdout, /Usage:/);
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
  }
});

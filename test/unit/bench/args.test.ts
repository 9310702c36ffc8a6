import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, UsageError } from '../../../bench/lib/args.js';

const known = ['monitor', 'functest', 'rack-failure'];

describe('make bench arguments', () => {
  it('selects every benchmark by default, and a subset in the registry order with --only', () => {
    assert.deepEqual(parseBenchArgs([], known), {
      quick: false,
      selected: known,
      partial: false,
      help: false,
    });
    assert.deepEqual(parseBenchArgs(['--quick', '--only=rack-failure,monitor'], known), {
      quick: true,
      selected: ['monitor', 'rack-failure'],
      partial: true,
      help: false,
    });
    assert.equal(parseBenchArgs(['--only', 'monitor,functest,rack-failure'], known).partial, false);
  });

  it('refuses an unknown benchmark name and lists the known ones', () => {
    assert.throws(
      () => parseBenchArgs(['--only=monitr'], known),
      (err: unknown) =>
        err instanceof UsageError &&
        err.message.includes('unknown benchmark: monitr') &&
        err.message.includes('known: monitor, functest, rack-failure'),
    );
    assert.throws(
      () => parseBenchArgs(['--only=monitor,typo,other'], known),
      /unknown benchmarks: typo, other/,
    );
  });

  it('refuses an empty name, an unknown option and a stray argument', () => {
    assert.throws(() => parseBenchArgs(['--only='], known), UsageError);
    assert.throws(() => parseBenchArgs(['--only=monitor,'], known), /separated by commas/);
    assert.throws(() => parseBenchArgs(['--quik'], known), UsageError);
    assert.throws(() => parseBenchArgs(['monitor'], known), UsageError);
  });

  it('run-all exits with status 2 on a typo and runs nothing', function () {
    this.timeout(30_000);
    const runAll = fileURLToPath(new URL('../../../bench/run-all.js', import.meta.url));
    const res = spawnSync(process.execPath, [runAll, '--only=functset'], {
      encoding: 'utf8',
      timeout: 25_000,
    });
    assert.equal(res.status, 2, res.stderr);
    assert.match(res.stderr, /unknown benchmark: functset; known: monitor, remediation, functest/);
    assert.doesNotMatch(res.stdout, /\[1\//);
  });
});

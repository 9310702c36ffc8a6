import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latestMarkdown, writeRun } from '../../../bench/lib/results-files.js';
import type { RunInfo } from '../../../bench/lib/run-info.js';
import type { RunRecord } from '../../../bench/lib/table.js';

function record(mode: RunInfo['mode']): RunRecord {
  return {
    run: {
      commit: 'c0ffee',
      dirty: true,
      startedAt: '2026-11-30T02:00:00.000Z',
      loadAverage: [1, 1, 1],
      cpus: 2,
      node: 'v24.0.0',
      mode,
    },
    results: [
      {
        benchmark: 'b',
        description: 'd',
        figures: [{ name: 'f', value: 1, unit: 'ms', statistic: 'single', samples: 1 }],
        started: { at: '2026-11-30T02:00:00.000Z', loadAverage: [1, 1, 1] },
        seconds: 1,
        commit: 'c0ffee',
        dirty: true,
      },
    ],
    failures: [],
  };
}

describe('where benchmark results go', () => {
  let dir: string;
  let readme: string;
  const committed = '# x\n\n<!-- bench:begin -->\n\nfull run table\n\n<!-- bench:end -->\n';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bench-results-'));
    readme = join(dir, 'README.md');
    writeFileSync(readme, committed);
    mkdirSync(join(dir, 'results'));
    writeFileSync(join(dir, 'results', 'latest.md'), 'full run\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const mode of ['quick', 'partial'] as const) {
    it(`a ${mode} run writes bench/results/${mode}/ and leaves the full results and the README alone`, async () => {
      const files = await writeRun(join(dir, 'results'), readme, record(mode));
      assert.deepEqual(
        files.map((f) => f.slice(dir.length + 1)),
        [
          `results/${mode}/2026-11-30T02-00-00Z.json`,
          `results/${mode}/latest.json`,
          `results/${mode}/latest.md`,
        ],
      );
      assert.equal(readFileSync(readme, 'utf8'), committed);
      assert.equal(readFileSync(join(dir, 'results', 'latest.md'), 'utf8'), 'full run\n');
      assert.match(
        readFileSync(join(dir, 'results', mode, 'latest.md'), 'utf8'),
        /\(with uncommitted changes\)/,
      );
    });
  }

  it('a full run rewrites latest.* and the README section from the same record', async () => {
    await writeRun(join(dir, 'results'), readme, record('full'));
    assert.deepEqual(readdirSync(join(dir, 'results')).sort(), [
      '2026-11-30T02-00-00Z.json',
      'latest.json',
      'latest.md',
    ]);
    const text = readFileSync(readme, 'utf8');
    assert.doesNotMatch(text, /full run table/);
    assert.match(text, /One `make bench` run \(full\) started 2026-11-30T02:00:00.000Z at commit c0ffee/);
    assert.ok(readFileSync(join(dir, 'results', 'latest.md'), 'utf8').includes('| b | f |'));
    assert.ok(!existsSync(join(dir, 'results', 'quick')));
  });
});

describe('a benchmark re-run alone in place of the run result', () => {
  it('is named with its own commit in the header and in its line; results of the run are not', () => {
    const merged = record('full');
    merged.results.push({ ...merged.results[0]!, benchmark: 'again', commit: 'beefcafe1234567' });
    const text = latestMarkdown(merged);
    assert.match(
      text,
      /Re-run alone on a later commit, in place of this run's result: again \(commit beefcafe1234\)\./,
    );
    assert.match(text, /- again: d\. .*took 1 s, commit beefcafe1234\./);
    assert.match(text, /- b: d\. .*took 1 s\.\n/);
    assert.doesNotMatch(latestMarkdown(record('full')), /Re-run/);
  });
});

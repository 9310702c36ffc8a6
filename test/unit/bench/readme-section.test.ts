import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { replaceSection, writeReadmeSection } from '../../../bench/lib/readme-section.js';
import type { RunRecord } from '../../../bench/lib/table.js';

const record: RunRecord = {
  run: {
    commit: '0123456789abcdef0123456789abcdef01234567',
    dirty: false,
    startedAt: '2026-11-30T02:00:00.000Z',
    loadAverage: [0.31, 0.2, 0.1],
    cpus: 2,
    node: 'v24.0.0',
    mode: 'full',
  },
  results: [
    {
      benchmark: 'rack-failure',
      description: '20 of 100 hosts fail',
      settings: { hosts: 100, 'Nova latency': '0 ms' },
      figures: [
        { name: 'all done', value: 987, unit: 'ms', statistic: 'p50', samples: 5, note: 'context' },
        {
          name: 'all done',
          value: 1750,
          unit: 'ms',
          statistic: 'p99',
          samples: 5,
          goal: { statistic: 'p99', op: '<=', value: 1000 },
        },
        {
          name: 'notified',
          value: 135,
          unit: 'ms',
          statistic: 'p99',
          samples: 150,
          settings: { 'probe timeout': '10 ms' },
          goal: { statistic: 'p99', op: '<', value: 1000, by: 'Doctor' },
        },
      ],
      started: { at: '2026-11-30T02:00:01.000Z', loadAverage: [0.31, 0.2, 0.1] },
      seconds: 61.4,
      commit: '0123456789abcdef0123456789abcdef01234567',
      dirty: false,
    },
  ],
  failures: ['functest: the cluster did not start'],
};

describe('README performance section', () => {
  it('replaces only the text between the markers and refuses a README without them', () => {
    const text = 'intro\n<!-- bench:begin -->\nold table\n<!-- bench:end -->\noutro\n';
    assert.equal(
      replaceSection(text, 'new table'),
      'intro\n<!-- bench:begin -->\n\nnew table\n\n<!-- bench:end -->\noutro\n',
    );
    assert.throws(() => replaceSection('no markers', 'x'), /needs the markers/);
    assert.throws(() => replaceSection('<!-- bench:end --> <!-- bench:begin -->', 'x'), /in that order/);
    assert.throws(
      () => replaceSection(`${text}<!-- bench:begin --><!-- bench:end -->`, 'x'),
      /more than one/,
    );
  });

  it('writes one run: commit, load, settings, statistic with sample count, and verdicts from the statistic', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-readme-'));
    try {
      const readme = join(dir, 'README.md');
      writeFileSync(readme, '# x\n\n<!-- bench:begin -->\n<!-- bench:end -->\n\nafter\n');
      await writeReadmeSection(readme, record);
      const text = readFileSync(readme, 'utf8');
      assert.match(
        text,
        /at commit 0123456789ab, Node\.js v24\.0\.0, 2 cores, load average at start 0\.31 \/ 0\.2 \/ 0\.1/,
      );
      // The p99 of 5 runs is shown as their maximum and fails its goal; the median is context only.
      assert.match(
        text,
        /\| rack-failure +\| all done +\| hosts 100, Nova latency 0 ms +\| max \(n=5\) +\| 1750 ms +\| p99 <= 1000 ms +\| \*\*no\*\* +\|/,
      );
      assert.match(
        text,
        /\| all done +\| hosts 100, Nova latency 0 ms +\| p50 \(n=5\) +\| 987 ms +\| context +\|/,
      );
      assert.match(
        text,
        /probe timeout 10 ms +\| p99 \(n=150\) +\| 135 ms +\| p99 < 1000 ms \(Doctor\) +\| yes/,
      );
      assert.match(text, /- FAILED functest: the cluster did not start/);
      assert.match(text, /after\n$/);
      assert.ok(
        await prettier.check(text, { filepath: readme }),
        'the section is already prettier-formatted',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

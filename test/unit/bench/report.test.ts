import assert from 'node:assert/strict';
import { figureProblems, goalMet, honestStatistic, type Figure } from '../../../bench/lib/report.js';
import { summary } from '../../../bench/lib/stats.js';

const samples = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('benchmark figures', () => {
  it('calls a p99 over fewer than 100 samples the maximum', () => {
    assert.deepEqual(summary(samples(12), 'p99'), { value: 12, statistic: 'max', samples: 12 });
    assert.deepEqual(summary(samples(200), 'p99'), { value: 198, statistic: 'p99', samples: 200 });
    assert.equal(honestStatistic('p99', 99), 'max');
    assert.equal(honestStatistic('p99', 100), 'p99');
    assert.equal(honestStatistic('p90', 9), 'max');
    assert.equal(honestStatistic('p50', 2), 'p50');
    assert.deepEqual(summary([3, 1, 2], 'p50'), { value: 2, statistic: 'p50', samples: 3 });
    assert.deepEqual(summary([3, 1, 2], 'mean'), { value: 2, statistic: 'mean', samples: 3 });
  });

  it('meets a goal only through the statistic the goal is stated for', () => {
    const fig = (statistic: Figure['statistic'], value: number, n = 200): Figure => ({
      name: 'x',
      value,
      unit: 'ms',
      statistic,
      samples: n,
      goal: { statistic: 'p99', op: '<=', value: 1000 },
    });
    assert.equal(goalMet(fig('p99', 900)), true);
    assert.equal(goalMet(fig('p99', 1001)), false);
    // A median under the bound says nothing about the p99 (rack p50 987 ms, 2 of 5 runs over 1 s).
    assert.equal(goalMet(fig('p50', 987)), false);
    // The maximum stands for a percentile under an upper bound.
    assert.equal(goalMet(fig('max', 999, 5)), true);
    assert.equal(goalMet(fig('max', 1750, 5)), false);
    assert.equal(goalMet(fig('p99', NaN)), false);
    assert.equal(goalMet({ ...fig('p99', 1), goal: undefined }), undefined);
    const count: Figure = {
      name: 'writes',
      value: 0,
      unit: 'calls',
      statistic: 'count',
      samples: 1,
      goal: { statistic: 'count', op: '=', value: 0 },
    };
    assert.equal(goalMet(count), true);
    assert.equal(goalMet({ ...count, value: 1 }), false);
    assert.equal(
      goalMet({
        ...count,
        value: 999,
        statistic: 'single',
        goal: { statistic: 'single', op: '<', value: 1000 },
      }),
      true,
    );
  });

  it("names what is wrong with a benchmark's figures", () => {
    const ok: Figure = { name: 'a', value: 1, unit: 'ms', statistic: 'single', samples: 1 };
    assert.deepEqual(figureProblems({ benchmark: 'b', description: '', figures: [ok] }), []);
    const problems = figureProblems({
      benchmark: 'b',
      description: '',
      figures: [
        { ...ok, value: NaN },
        { ...ok, samples: 0 },
        { ...ok, statistic: 'p50', samples: 10, goal: { statistic: 'p99', op: '<=', value: 5 } },
      ],
    });
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems[0]!, /not a number/);
    assert.match(problems[1]!, /samples must be/);
    assert.match(problems[2]!, /goal is stated for p99 but the figure is a p50/);
    assert.deepEqual(figureProblems({ benchmark: 'b', description: '', figures: [] }), ['b: no figures']);
  });
});

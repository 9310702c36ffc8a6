// What a benchmark module returns: figures that each say what was measured (statistic over how many
// samples), under which settings, and which goal (if any) they are held to. Whether a goal is met is
// decided here from the stated statistic, never by the module. A module's figure, for example:
//   { name: 'link down -> all notified', unit: 'ms', ...summary(samplesMs, 'p99'),
//     settings: { servers: 50, 'Nova latency': '20 ms/call' }, goal: { statistic: 'p99', op: '<=', value: 1000 } }
// and a new benchmark is one entry (name, what, run) in bench/run-all.ts.

/** How a figure's value was obtained from its samples. `single`: one measurement (e.g. CPU over a window). */
export type Statistic = 'p50' | 'p90' | 'p99' | 'max' | 'min' | 'mean' | 'single' | 'count';

/** The knobs a figure was measured with, e.g. { interval: '100 ms', timeout: '10 ms', threshold: 2 }. */
export type Settings = Readonly<Record<string, string | number | boolean>>;

export interface Goal {
  /** The statistic the goal is stated for (e.g. p99). */
  statistic: Statistic;
  /** The figure's value must satisfy `value op goal.value`, in the figure's unit. */
  op: '<=' | '<' | '>=' | '=';
  value: number;
  /** Who set the goal when it is not this project (e.g. "Doctor"). */
  by?: string;
}

export interface Figure {
  name: string;
  value: number;
  unit: string;
  statistic: Statistic;
  /** How many samples the statistic is over (1 for a single measurement). */
  samples: number;
  /** This figure's own settings; they add to (or override) the benchmark's shared settings. */
  settings?: Settings;
  /** Absent for a figure shown as context. */
  goal?: Goal;
  /** Why the figure is there when it has no goal, or what it leaves out (e.g. "Kubernetes in memory"). */
  note?: string;
}

export interface BenchResult {
  benchmark: string;
  description: string;
  /** Settings every figure of this benchmark was measured with. */
  settings?: Settings;
  figures: Figure[];
  details?: Record<string, unknown>;
}

const percentileRank: Partial<Record<Statistic, number>> = { p50: 50, p90: 90, p99: 99 };
const percentiles: readonly Statistic[] = ['p50', 'p90', 'p99', 'mean'];

/**
 * The statistic a figure really is: a nearest-rank percentile whose rank is the last sample is the
 * maximum (a p99 over fewer than 100 samples, a p90 over fewer than 10), and is named so.
 */
export function honestStatistic(statistic: Statistic, samples: number): Statistic {
  const rank = percentileRank[statistic];
  return rank !== undefined && Math.ceil((rank / 100) * samples) >= samples ? 'max' : statistic;
}

/** The figure as it is reported: statistic renamed when the sample count does not support it. */
export function normalizeFigure(figure: Figure): Figure {
  const statistic = honestStatistic(figure.statistic, figure.samples);
  return statistic === figure.statistic ? figure : { ...figure, statistic };
}

/**
 * Whether a figure's statistic can stand for its goal's: the same statistic, or the maximum for an upper
 * bound on a percentile or mean (the maximum is never below them, so it meeting the bound implies they do).
 */
function standsFor(figure: Statistic, goal: Goal): boolean {
  if (figure === goal.statistic) return true;
  return figure === 'max' && percentiles.includes(goal.statistic) && (goal.op === '<=' || goal.op === '<');
}

function compare(value: number, goal: Goal): boolean {
  switch (goal.op) {
    case '<=':
      return value <= goal.value;
    case '<':
      return value < goal.value;
    case '>=':
      return value >= goal.value;
    case '=':
      return value === goal.value;
  }
}

/** Met, not met, or undefined for a figure without a goal. A NaN value or a wrong statistic is not met. */
export function goalMet(figure: Figure): boolean | undefined {
  if (figure.goal === undefined) return undefined;
  const f = normalizeFigure(figure);
  return standsFor(f.statistic, figure.goal) && Number.isFinite(f.value) && compare(f.value, figure.goal);
}

/** What is wrong with a benchmark's figures, in words; empty when nothing is. */
export function figureProblems(result: BenchResult): string[] {
  const problems: string[] = [];
  const where = (f: Figure) => `${result.benchmark}: "${f.name}"`;
  if (result.figures.length === 0) problems.push(`${result.benchmark}: no figures`);
  for (const raw of result.figures) {
    const f = normalizeFigure(raw);
    if (f.name.trim() === '') problems.push(`${result.benchmark}: a figure without a name`);
    if (!Number.isFinite(f.value)) problems.push(`${where(f)}: value ${f.value} is not a number`);
    if (!Number.isInteger(f.samples) || f.samples < 1)
      problems.push(`${where(f)}: samples must be a whole number >= 1, got ${f.samples}`);
    if (f.goal && !standsFor(f.statistic, f.goal))
      problems.push(
        `${where(f)}: the goal is stated for ${f.goal.statistic} but the figure is a ${f.statistic}`,
      );
  }
  return problems;
}

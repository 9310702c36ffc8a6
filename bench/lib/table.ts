// Markdown for a benchmark run: one table of figures held to a goal, one of figures shown as context,
// each row naming its settings, its statistic and sample count; then when, where and on which commit.
import {
  goalMet,
  normalizeFigure,
  type BenchResult,
  type Figure,
  type Goal,
  type Settings,
} from './report.js';
import { describeCommit, type RunInfo } from './run-info.js';

/** A benchmark's result as recorded by run-all: when it started, the load then, how long it took. */
export interface RecordedResult extends BenchResult {
  started: { at: string; loadAverage: number[] };
  seconds: number;
  /** The run's commit, repeated so a result read alone still says which code produced it. */
  commit: string;
  dirty: boolean;
}

/** One `make bench` invocation: its run information, results, and the benchmarks that failed. */
export interface RunRecord {
  run: RunInfo;
  results: RecordedResult[];
  failures: string[];
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const text = Number.isInteger(value) ? String(value) : value.toFixed(abs >= 100 ? 0 : abs >= 10 ? 1 : 2);
  return unit === '' ? text : `${text} ${unit}`;
}

export function formatSettings(shared: Settings | undefined, own: Settings | undefined): string {
  const merged = { ...shared, ...own };
  return Object.entries(merged)
    .map(([key, value]) =>
      typeof value === 'boolean' ? `${key} ${value ? 'yes' : 'no'}` : `${key} ${value}`,
    )
    .join(', ');
}

export function formatGoal(goal: Goal, unit: string): string {
  // A single measurement or a count needs no statistic in front of its bound.
  const statistic = goal.statistic === 'single' || goal.statistic === 'count' ? '' : `${goal.statistic} `;
  return `${statistic}${goal.op} ${formatValue(goal.value, unit)}${goal.by ? ` (${goal.by})` : ''}`;
}

function statisticCell(f: Figure): string {
  return f.statistic === 'single' || f.statistic === 'count'
    ? `${f.statistic}`
    : `${f.statistic} (n=${f.samples})`;
}

function rows(results: readonly BenchResult[], withGoal: boolean): string[][] {
  const out: string[][] = [];
  for (const r of results) {
    for (const raw of r.figures) {
      if ((raw.goal !== undefined) !== withGoal) continue;
      const f = normalizeFigure(raw);
      const common = [
        r.benchmark,
        f.name,
        formatSettings(r.settings, f.settings),
        statisticCell(f),
        formatValue(f.value, f.unit),
      ];
      out.push(
        withGoal
          ? [...common, formatGoal(f.goal!, f.unit), goalMet(f) ? 'yes' : '**no**']
          : [...common, f.note ?? ''],
      );
    }
  }
  return out;
}

function table(header: string[], body: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...body.map(line)].join('\n');
}

/** Both tables for a set of results (also what run-all prints at the end). */
export function formatTables(results: readonly BenchResult[]): string {
  const head = ['benchmark', 'figure', 'settings', 'statistic', 'value'];
  const goals = rows(results, true);
  const context = rows(results, false);
  const parts: string[] = [];
  if (goals.length > 0) parts.push(`Figures held to a goal:\n\n${table([...head, 'goal', 'met'], goals)}`);
  if (context.length > 0) parts.push(`Context (no goal):\n\n${table([...head, 'note'], context)}`);
  return parts.join('\n\n');
}

function describeRun(run: RunInfo, results: readonly RecordedResult[]): string {
  // A benchmark re-run alone after a fix (its result put in place of the run's own) is named as such.
  const rerun = results.filter((r) => r.commit !== run.commit);
  return (
    `One \`make bench\` run (${run.mode}) started ${run.startedAt} at commit ${describeCommit(run)}, ` +
    `Node.js ${run.node}, ${run.cpus} cores, load average at start ${run.loadAverage.join(' / ')} (1 / 5 / 15 min).` +
    (rerun.length > 0
      ? ` Re-run alone on a later commit, in place of this run's result: ${rerun
          .map((r) => `${r.benchmark} (commit ${r.commit.slice(0, 12)})`)
          .join(', ')}.`
      : '')
  );
}

/** The markdown of a whole run: what latest.md holds and what the README's performance section shows. */
export function formatRun(record: RunRecord): string {
  const benchmarks = record.results.map(
    (r) =>
      `- ${r.benchmark}: ${r.description}. Started ${r.started.at}, load average ${r.started.loadAverage[0] ?? '?'}, ` +
      `took ${Math.round(r.seconds)} s${r.commit !== record.run.commit ? `, commit ${r.commit.slice(0, 12)}` : ''}.`,
  );
  const failed = record.failures.map((f) => `- FAILED ${f}`);
  return [
    describeRun(record.run, record.results),
    formatTables(record.results),
    `Benchmarks in this run:\n\n${[...benchmarks, ...failed].join('\n')}`,
  ].join('\n\n');
}

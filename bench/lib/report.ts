// Benchmark results: every figure is printed and stored beside the goal its issue set.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The goal in words, as the issue states it (e.g. "<= 30 s"). */
  goal: string;
  /** Whether the value meets the goal; undefined for figures without a goal (context only). */
  met?: boolean;
  samples?: number;
}

export interface BenchResult {
  benchmark: string;
  description: string;
  figures: Figure[];
  details?: Record<string, unknown>;
}

export function formatTable(results: BenchResult[]): string {
  const lines = ['| benchmark | figure | value | goal | met |', '| --- | --- | --- | --- | --- |'];
  for (const r of results) {
    for (const f of r.figures) {
      const value = Number.isInteger(f.value) ? String(f.value) : f.value.toFixed(f.value < 10 ? 2 : 1);
      const met = f.met === undefined ? '' : f.met ? 'yes' : 'NO';
      lines.push(
        `| ${r.benchmark} | ${f.name}${f.samples ? ` (n=${f.samples})` : ''} | ${value} ${f.unit} | ${f.goal} | ${met} |`,
      );
    }
  }
  return lines.join('\n');
}

/**
 * Writes bench/results/<date>.json (this run), latest-<benchmark>.json for each benchmark run, and
 * latest.json / latest.md gathered from every latest-<benchmark>.json, so running one benchmark alone
 * (make bench BENCH_ARGS=--only=x) refreshes its figures without dropping the others'. Returns the markdown.
 */
export function writeResults(dir: string, results: BenchResult[], meta: Record<string, unknown>): string {
  mkdirSync(dir, { recursive: true });
  const now = new Date().toISOString();
  const stamp = now.replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
  writeFileSync(join(dir, `${stamp}.json`), JSON.stringify({ date: now, ...meta, results }, null, 2) + '\n');
  for (const result of results) {
    writeFileSync(
      join(dir, `latest-${result.benchmark}.json`),
      JSON.stringify({ date: now, ...meta, result }, null, 2) + '\n',
    );
  }
  const all = readdirSync(dir)
    .filter((f) => /^latest-.+\.json$/.test(f))
    .sort()
    .map(
      (f) =>
        JSON.parse(readFileSync(join(dir, f), 'utf8')) as {
          date: string;
          quick?: boolean;
          result: BenchResult;
        },
    );
  writeFileSync(join(dir, 'latest.json'), JSON.stringify({ date: now, benchmarks: all }, null, 2) + '\n');
  const runs = all.map(
    (r) => `- ${r.result.benchmark}: ${r.date}${r.quick ? ' (quick)' : ''} — ${r.result.description}`,
  );
  const markdown = `# Benchmark results\n\n${formatTable(all.map((r) => r.result))}\n\nRuns:\n\n${runs.join('\n')}\n`;
  writeFileSync(join(dir, 'latest.md'), markdown);
  return markdown;
}

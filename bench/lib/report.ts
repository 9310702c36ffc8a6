// Benchmark results: every figure is printed and stored beside the goal its issue set.
import { mkdirSync, writeFileSync } from 'node:fs';
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

/** Writes bench/results/<date>.json, latest.json and latest.md; returns the markdown. */
export function writeResults(dir: string, results: BenchResult[], meta: Record<string, unknown>): string {
  mkdirSync(dir, { recursive: true });
  const date = new Date()
    .toISOString()
    .replace(/[:]/g, '-')
    .replace(/\.\d+Z$/, 'Z');
  const document = { date: new Date().toISOString(), ...meta, results };
  const json = JSON.stringify(document, null, 2) + '\n';
  writeFileSync(join(dir, `${date}.json`), json);
  writeFileSync(join(dir, 'latest.json'), json);
  const markdown = `# Benchmark results (${document.date})\n\n${formatTable(results)}\n`;
  writeFileSync(join(dir, 'latest.md'), markdown);
  return markdown;
}

// Where a run's results go. Only a full run (every benchmark at full size) writes bench/results/latest.*
// and the README's table, so both show one run on one commit (a result re-run alone and put in place of the
// run's own keeps its commit, which the tables name). A quick run writes
// bench/results/quick/ and an --only run bench/results/partial/, both ignored by git.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeReadmeSection } from './readme-section.js';
import type { RunInfo } from './run-info.js';
import { formatRun, type RunRecord } from './table.js';

export function resultsDirFor(resultsRoot: string, mode: RunInfo['mode']): string {
  return mode === 'full' ? resultsRoot : join(resultsRoot, mode);
}

export function latestMarkdown(record: RunRecord): string {
  return `# Benchmark results\n\n${formatRun(record)}\n`;
}

/** Writes <date>.json, latest.json and latest.md into `dir`; returns the files written. */
export function writeRunFiles(dir: string, record: RunRecord): string[] {
  mkdirSync(dir, { recursive: true });
  const stamp = record.run.startedAt.replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
  const json = `${JSON.stringify(record, null, 2)}\n`;
  const files = [join(dir, `${stamp}.json`), join(dir, 'latest.json'), join(dir, 'latest.md')];
  writeFileSync(files[0]!, json);
  writeFileSync(files[1]!, json);
  writeFileSync(files[2]!, latestMarkdown(record));
  return files;
}

/** Everything a finished run writes; the README only for a full run. */
export async function writeRun(
  resultsRoot: string,
  readmePath: string,
  record: RunRecord,
): Promise<string[]> {
  const files = writeRunFiles(resultsDirFor(resultsRoot, record.run.mode), record);
  if (record.run.mode === 'full') {
    await writeReadmeSection(readmePath, record);
    files.push(readmePath);
  }
  return files;
}

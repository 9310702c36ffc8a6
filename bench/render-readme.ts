// Re-renders bench/results/latest.md and the README's performance section from bench/results/latest.json
// (the last full `make bench` run) without measuring anything: for a change to how results are shown.
//   node dist/bench/render-readme.js
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../tools/cluster/paths.js';
import { writeReadmeSection } from './lib/readme-section.js';
import { latestMarkdown } from './lib/results-files.js';
import type { RunRecord } from './lib/table.js';
import { errorText } from '../src/util/error-text.js';

async function main(): Promise<void> {
  const latest = join(repoRoot, 'bench/results/latest.json');
  if (!existsSync(latest))
    throw new Error(`no full run recorded yet (${latest} is missing): run \`make bench\``);
  const record = JSON.parse(readFileSync(latest, 'utf8')) as Partial<RunRecord>;
  if (!record.run || !Array.isArray(record.results) || !Array.isArray(record.failures))
    throw new Error(`${latest} is not a run record of this format: run \`make bench\` to produce one`);
  if (record.run.mode !== 'full')
    throw new Error(`${latest} holds a ${record.run.mode} run; the README shows full runs only`);
  const full = record as RunRecord;
  writeFileSync(join(repoRoot, 'bench/results/latest.md'), latestMarkdown(full));
  await writeReadmeSection(join(repoRoot, 'README.md'), full);
  console.log('render-readme: wrote bench/results/latest.md and the README performance section');
}

main().catch((err: unknown) => {
  console.error(`render-readme: ${errorText(err)}`);
  process.exitCode = 1;
});

#!/usr/bin/env node
// `make crds`: writes crds/*.yaml and the Helm chart's copies from src/api/schema.
// `--check` writes nothing and exits 1 naming every stale or missing file (CI and the unit test use it).
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderCrdFiles } from './crds.js';

/** The repository root, seen from dist/src/api/ where this file runs compiled. */
export const defaultRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Paths (relative to root) whose content differs from a fresh render, or that are missing. */
export function staleCrdFiles(root: string): string[] {
  return renderCrdFiles()
    .filter((file) => readOrUndefined(join(root, file.path)) !== file.content)
    .map((file) => file.path);
}

export function writeCrdFiles(root: string): string[] {
  const written: string[] = [];
  for (const file of renderCrdFiles()) {
    const target = join(root, file.path);
    if (readOrUndefined(target) === file.content) continue;
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
    written.push(file.path);
  }
  return written;
}

const usage = 'Usage: node dist/src/api/generate-crds.js [--check] [--root DIR]\n';

/** Runs the generator; resolves to the process exit code. Output goes to the given streams. */
export function runGenerateCrds(
  argv: string[],
  out: (text: string) => void = (text) => process.stdout.write(text),
  err: (text: string) => void = (text) => process.stderr.write(text),
): number {
  let values: { check?: boolean; root?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        check: { type: 'boolean' },
        root: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    err(`generate-crds: ${(error as Error).message}\n${usage}`);
    return 2;
  }
  if (values.help === true) {
    out(usage);
    return 0;
  }
  const root = resolve(values.root ?? defaultRoot);
  if (values.check === true) {
    const stale = staleCrdFiles(root);
    if (stale.length === 0) {
      out('generate-crds: CRDs are up to date\n');
      return 0;
    }
    for (const path of stale) {
      err(`generate-crds: ${path} is stale or missing: it differs from what src/api/schema generates\n`);
    }
    err('generate-crds: run `make crds` and commit the result\n');
    return 1;
  }
  const written = writeCrdFiles(root);
  out(
    written.length === 0
      ? 'generate-crds: CRDs are up to date\n'
      : written.map((path) => `generate-crds: wrote ${path}\n`).join(''),
  );
  return 0;
}

function isMain(): boolean {
  const entry = process.argv[1];
  return entry !== undefined && realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
}

if (isMain()) {
  process.exitCode = runGenerateCrds(process.argv.slice(2));
}

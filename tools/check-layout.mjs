#!/usr/bin/env node
/* global process, console */
// Checks the layout rules of src/: the stages of the fault flow import only stages after them (or the
// neutral folders), the controller runtime knows nothing of Doctor, and no two files import each other
// (no cycle of any length). Run by `make lint`; prints each offending import and exits 1.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(repo, 'src');

// Folder -> the folders it may import (besides itself). Neutral folders come first (runtime is the
// controller runtime: Kubernetes plumbing that knows nothing of Doctor); the stages follow the flow
// monitor -> intake -> inspector -> remediation -> openstack / notify; operator wires them all.
const neutral = ['util', 'api', 'observability', 'contracts', 'runtime'];
const allowed = {
  util: [],
  api: ['util'],
  observability: ['util'],
  contracts: ['util', 'api'],
  runtime: ['util', 'observability'],
  openstack: [...neutral],
  notify: [...neutral],
  remediation: [...neutral, 'openstack', 'notify'],
  // Planned maintenance: a stage beside remediation (a host taken down on purpose), acting through the
  // same openstack and notify folders.
  maintenance: [...neutral, 'openstack', 'notify'],
  inspector: [...neutral],
  intake: [...neutral, 'inspector'],
  monitor: [...neutral],
  consumer: [...neutral, 'notify'],
  operator: [
    ...neutral,
    'intake',
    'inspector',
    'remediation',
    'maintenance',
    'openstack',
    'notify',
    'monitor',
  ],
  '.': ['*'],
};

function walk(dir, out = []) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (path.endsWith('.ts')) out.push(path);
  }
  return out;
}

const topFolder = (file) => {
  const rel = relative(src, file);
  return rel.includes('/') ? rel.split('/')[0] : '.';
};

const importPattern = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;
const files = walk(src);
const graph = new Map();
const problems = [];
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const targets = [];
  for (const match of text.matchAll(importPattern)) {
    const target = normalize(join(dirname(file), match[1])).replace(/\.js$/, '.ts');
    targets.push(target);
    const from = topFolder(file);
    const to = topFolder(target);
    if (from === to) continue;
    const rule = allowed[from];
    if (!rule) problems.push(`${relative(repo, file)}: folder src/${from} has no layout rule`);
    else if (!rule.includes('*') && !rule.includes(to))
      problems.push(
        `${relative(repo, file)} imports ${relative(repo, target)}: src/${from} may not import src/${to}`,
      );
  }
  graph.set(file, targets);
}

// Cycles: depth-first search, reporting each back edge once.
const state = new Map();
const stack = [];
function visit(file) {
  state.set(file, 'open');
  stack.push(file);
  for (const next of graph.get(file) ?? []) {
    if (!graph.has(next)) continue;
    if (state.get(next) === 'open') {
      const cycle = stack
        .slice(stack.indexOf(next))
        .concat(next)
        .map((f) => relative(repo, f));
      problems.push(`import cycle: ${cycle.join(' -> ')}`);
    } else if (!state.has(next)) visit(next);
  }
  stack.pop();
  state.set(file, 'done');
}
for (const file of files) if (!state.has(file)) visit(file);

if (problems.length > 0) {
  console.error(`layout check: ${problems.length} problem(s)`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(`layout check: ${files.length} files, imports follow the stage order, no cycles`);

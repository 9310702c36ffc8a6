// Where and when a benchmark run happened, so a figure can be traced to the code and the machine state
// that produced it: the commit (and whether the tree had uncommitted changes) and the load at the start.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';

export interface RunInfo {
  /** `git rev-parse HEAD`, or "unknown" outside a git checkout. */
  commit: string;
  /** Uncommitted or untracked changes when the run started (figures may not match the commit). */
  dirty: boolean;
  startedAt: string;
  /** os.loadavg() when the run started: 1, 5 and 15 minute averages. */
  loadAverage: number[];
  cpus: number;
  node: string;
  /** full: every benchmark at full size; quick: the smoke run; partial: some benchmarks (--only). */
  mode: 'full' | 'quick' | 'partial';
}

function git(cwd: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    });
  } catch {
    return undefined;
  }
}

export function collectRunInfo(repo: string, mode: RunInfo['mode']): RunInfo {
  const commit = git(repo, ['rev-parse', 'HEAD'])?.trim();
  const status = git(repo, ['status', '--porcelain']);
  return {
    commit: commit || 'unknown',
    dirty: status === undefined ? true : status.trim() !== '',
    startedAt: new Date().toISOString(),
    loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
    cpus: cpus().length,
    node: process.version,
    mode,
  };
}

/** "abc1234 (uncommitted changes)" */
export function describeCommit(info: Pick<RunInfo, 'commit' | 'dirty'>): string {
  return `${info.commit.slice(0, 12)}${info.dirty ? ' (with uncommitted changes)' : ''}`;
}

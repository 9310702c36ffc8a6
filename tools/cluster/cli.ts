// `make cluster-up | cluster-down`: the local control plane for people, outside the test runner.
import { mkdirSync, rmSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster } from './cluster.js';
import { binaryPath, clusterDir } from './paths.js';
import { currentDetachedRun, currentRunFile, reapOrphanedRuns, stopRun } from './run-registry.js';
import { errorText } from '../../src/util/error-text.js';

const kubeconfigPath = join(clusterDir, 'kubeconfig');

async function up(): Promise<number> {
  const existing = currentDetachedRun();
  if (existing && existsSync(join(existing, 'pids.json'))) {
    const stopped = await stopRun(existing, 0).catch(() => []);
    if (stopped.length === 0) rmSync(currentRunFile, { force: true });
  }
  if (currentDetachedRun()) {
    console.error(
      `cluster-up: a cluster is already running (${currentDetachedRun()}). Run 'make cluster-down' first.`,
    );
    return 1;
  }
  await reapOrphanedRuns();
  mkdirSync(clusterDir, { recursive: true });
  const cluster = await startCluster({ detached: true, log: (line) => console.log(line) });
  copyFileSync(cluster.kubeconfigPath, kubeconfigPath);
  writeFileSync(currentRunFile, cluster.runDir);
  console.log(`cluster-up: running. kubeconfig: ${kubeconfigPath}`);
  console.log(`cluster-up: try: ${binaryPath('kubectl')} --kubeconfig ${kubeconfigPath} get nodes`);
  console.log("cluster-up: stop it with 'make cluster-down'");
  return 0;
}

async function down(): Promise<number> {
  const runDir = currentDetachedRun();
  if (!runDir) {
    console.log('cluster-down: no cluster started by cluster-up is recorded; nothing to stop');
  } else {
    const stopped = await stopRun(runDir);
    console.log(
      `cluster-down: stopped ${stopped.length ? stopped.join(', ') : 'nothing (already gone)'} from ${runDir}`,
    );
  }
  rmSync(currentRunFile, { force: true });
  rmSync(kubeconfigPath, { force: true });
  const reaped = await reapOrphanedRuns();
  for (const line of reaped) console.log(`cluster-down: also stopped leftovers of ${line}`);
  return 0;
}

const commands: Record<string, () => Promise<number>> = { up, down };
const command = commands[process.argv[2] ?? ''];
if (!command) {
  console.error('usage: node dist/tools/cluster/cli.js up|down');
  process.exitCode = 2;
} else {
  // Ctrl-C: exit at once; the launcher's exit hook kills every component it started and has not released.
  process.once('SIGINT', () => {
    console.error(`\n${process.argv[2]}: interrupted; stopping what was started`);
    process.exit(130);
  });
  command().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(`${process.argv[2]}: FAILED: ${errorText(err)}`);
      process.exitCode = 1;
    },
  );
}

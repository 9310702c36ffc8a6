// One control plane per test run, started on first use: suites that need Kubernetes call
// sharedCluster() in their before(); suites that don't never pay for it. The root hooks stop it.
import { startCluster, type Cluster } from '../../tools/cluster/cluster.js';
import { reapOrphanedRuns } from '../../tools/cluster/run-registry.js';

let starting: Promise<Cluster> | undefined;
let stopHandlersInstalled = false;

export function sharedCluster(): Promise<Cluster> {
  if (!starting) {
    installStopHandlers();
    starting = (async () => {
      const reaped = await reapOrphanedRuns();
      for (const line of reaped) process.stderr.write(`control-plane: stopped leftovers of ${line}\n`);
      return startCluster();
    })();
  }
  return starting;
}

export async function stopSharedCluster(): Promise<void> {
  if (!starting) return;
  const pending = starting;
  starting = undefined;
  const cluster = await pending.catch(() => undefined);
  await cluster?.stop();
}

/** Ctrl-C or a kill of the test run still stops the cluster; a second signal exits at once. */
function installStopHandlers(): void {
  if (stopHandlersInstalled) return;
  stopHandlersInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\ncontrol-plane: ${signal} received, stopping the control plane...\n`);
      void stopSharedCluster().finally(() => process.exit(130));
    });
  }
}

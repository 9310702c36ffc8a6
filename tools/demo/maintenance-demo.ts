// `make demo-maintenance`: OPNFV Doctor's planned maintenance on a local control plane, started the way
// Kubernetes administrators start it (kubectl cordon), for a person watching. It starts the control
// plane, the Nova simulator (migrations of 1 s), a sample consumer that answers ACK and the operator;
// cordons one host, prints the workflow's timeline (service disabled, consumers told and answering,
// servers migrated, host empty), shows `kubectl get hosthealth`, uncordons it (service enabled,
// maintenance.complete sent), writes .out/demo/maintenance.json and removes everything it started.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostHealth } from '../../src/api/types.js';
import { startConsumer, type RunningConsumer } from '../../src/consumer/command.js';
import { createLogger } from '../../src/observability/logger.js';
import { errorText } from '../../src/util/error-text.js';
import { startCluster, type Cluster } from '../cluster/cluster.js';
import { kubectlApply } from '../cluster/kube/apply.js';
import { kubeClients } from '../cluster/kube/client.js';
import { installOperatorPrerequisites, operatorNamespace } from '../cluster/kube/install.js';
import { createKwokNodes, deleteNodes } from '../cluster/kube/nodes.js';
import { repoRoot } from '../cluster/paths.js';
import { reapOrphanedRuns } from '../cluster/run-registry.js';
import { waitFor } from '../cluster/wait.js';
import { start as startNovaSim, type NovaSim } from '../nova-sim/index.js';
import { startOperatorProcess, type OperatorProcess } from './operator-process.js';

const hosts = ['maint-0', 'maint-1', 'maint-2', 'maint-3'];
const serversPerHost = 10;
const key = 'demo-maintenance-key';

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

const ms = (from: string | undefined, to: string | undefined) =>
  from && to ? `${Date.parse(to) - Date.parse(from)}` : '?';

async function run(): Promise<void> {
  say('demo-maintenance: OPNFV Doctor planned maintenance, started by kubectl cordon (no Docker)');
  say(
    `demo-maintenance: ${hosts.length} compute hosts with ${serversPerHost} servers each; migrations take 1 s\n`,
  );
  await reapOrphanedRuns();
  let cluster: Cluster | undefined;
  let nova: NovaSim | undefined;
  let consumer: RunningConsumer | undefined;
  let operator: OperatorProcess | undefined;
  const recordDir = mkdtempSync(join(tmpdir(), 'demo-maintenance-'));
  try {
    cluster = await startCluster({ log: (l) => say(l) });
    const kube = kubeClients(cluster.kubeconfigPath);
    await installOperatorPrerequisites(cluster, kube);
    nova = await startNovaSim({ hosts, serversPerHost, migrationMs: 1000 });
    await kube.core.createNamespacedSecret({
      namespace: operatorNamespace,
      body: { metadata: { name: 'demo-clouds' }, stringData: { 'clouds.yaml': nova.cloudsYaml() } },
    });
    await kube.core.createNamespacedSecret({
      namespace: operatorNamespace,
      body: { metadata: { name: 'demo-consumer-key' }, stringData: { key } },
    });
    await createKwokNodes(kube.core, hosts, {
      labels: { 'demo-maintenance': 'enabled' },
      subnet: '198.18.40',
    });
    consumer = await startConsumer({
      port: 0,
      host: '127.0.0.1',
      hmacKey: Buffer.from(key),
      recordFile: join(recordDir, 'arrivals.jsonl'),
      logger: createLogger('consumer', 'error'),
      maintenance: { mode: 'ack', delayMs: 200, nackServers: [] },
    });
    mkdirSync(join(cluster.runDir, 'logs'), { recursive: true });
    operator = await startOperatorProcess({
      kubeconfig: cluster.kubeconfigPath,
      logDir: join(cluster.runDir, 'logs'),
      identity: 'demo-maintenance',
      extraArgs: ['--leader-elect=false', '--inspector-auth', 'none', '--maintenance-poll-ms', '100'],
    });
    await kubectlApply(cluster, {
      yaml: `apiVersion: doctor.io/v1alpha1
kind: FaultPolicy
metadata: {name: demo-maintenance}
spec:
  nodeSelector: {matchLabels: {demo-maintenance: enabled}}
  actions:
    nova: {cloudSecretRef: {name: demo-clouds}}
    notify:
      - {name: vnfm, url: '${consumer.url}/failure', format: aodh, secretRef: {name: demo-consumer-key, key: key}}
  maintenance: {maxParallelMigrations: 8}
`,
    });
    const hostHealth = async (name: string) =>
      (await kube.custom
        .getClusterCustomObject({
          group: 'doctor.io',
          version: 'v1alpha1',
          plural: 'hosthealths',
          name,
        })
        .catch(() => undefined)) as HostHealth | undefined;
    const c = cluster;
    await waitFor('the HostHealths', async () => ((await hostHealth(hosts[1]!)) ? true : undefined));
    const victim = hosts[1]!;
    say(`\n$ kubectl cordon ${victim}`);
    const cordonedAt = new Date().toISOString();
    await c.kubectl(['cordon', victim]);
    const empty = await waitFor(
      `${victim} to be reported empty`,
      async () => {
        const hh = await hostHealth(victim);
        return hh?.status?.maintenance?.phase === 'HostEmpty' ? hh : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    const record = empty.status!.maintenance!;
    const steps = record.steps ?? {};
    say('\n| step | what | ms after the cordon |');
    say('| --- | --- | ---: |');
    say(
      `| start | maintenance started (${record.trigger}, session ${record.sessionId}) | ${ms(cordonedAt, record.startedTime)} |`,
    );
    say(
      `| a | nova-compute disabled: ${steps.disableService?.message ?? ''} | ${ms(cordonedAt, steps.disableService?.time)} |`,
    );
    say(
      `| b | maintenance.scheduled: ${steps.notify?.message ?? ''} | ${ms(cordonedAt, steps.notify?.time)} |`,
    );
    say(`| c | answers: ${steps.answers?.message ?? ''} | ${ms(cordonedAt, steps.answers?.time)} |`);
    say(`| d | migrations: ${steps.migrate?.message ?? ''} | ${ms(cordonedAt, steps.migrate?.time)} |`);
    say(`| e | host empty (ReadyForMaintenance=True) | ${ms(cordonedAt, record.hostEmptyTime)} |`);
    for (const server of record.servers ?? [])
      say(
        `  [server] ${server.name ?? server.id}: ${server.answer ?? 'no answer'} -> ${server.state} (${server.message ?? ''})`,
      );
    say('\n$ kubectl get hosthealth');
    say((await c.kubectl(['get', 'hosthealth', '-l', 'doctor.io/policy=demo-maintenance'])).stdout.trimEnd());

    say(`\n$ kubectl uncordon ${victim}`);
    const uncordonedAt = new Date().toISOString();
    await c.kubectl(['uncordon', victim]);
    const done = await waitFor(
      `${victim} maintenance to complete`,
      async () => {
        const hh = await hostHealth(victim);
        return hh?.status?.maintenance?.phase === 'Complete' ? hh : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    const end = done.status!.maintenance!;
    say(
      `| f | nova-compute enabled: ${end.steps?.enableService?.message ?? ''} | ${ms(uncordonedAt, end.steps?.enableService?.time)} ms after the uncordon |`,
    );
    say(
      `| f | maintenance.complete: ${end.steps?.notifyComplete?.message ?? ''} | ${ms(uncordonedAt, end.completedTime)} ms after the uncordon |`,
    );
    const types = readFileSync(join(recordDir, 'arrivals.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l !== '').length;
    say(
      `\ndemo-maintenance: the consumer received ${types} notifications; nova-compute on ${victim} is ${nova.state.computeService(victim)?.status ?? '?'}`,
    );
    const outDir = join(repoRoot, '.out/demo');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(
      join(outDir, 'maintenance.json'),
      JSON.stringify({ host: victim, cordonedAt, record, end }, null, 2) + '\n',
    );
    say('demo-maintenance: record written to .out/demo/maintenance.json');
    await deleteNodes(kube.core, hosts);
  } finally {
    say('\ndemo-maintenance: cleaning up (operator, consumer, Nova simulator, control plane)');
    await operator?.stop().catch(() => undefined);
    await consumer?.close();
    await nova?.stop();
    await cluster?.stop();
    rmSync(recordDir, { recursive: true, force: true });
  }
  say('demo-maintenance: done');
}

run().then(
  () => {
    process.exitCode = 0;
  },
  (err: unknown) => {
    process.stderr.write(`demo-maintenance: FAILED: ${errorText(err)}\n`);
    process.exitCode = 1;
  },
);

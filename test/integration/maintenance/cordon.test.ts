// Planned maintenance on the real control plane, started the way Kubernetes administrators start it:
// kubectl cordon. The operator disables nova-compute, tells the consumers (a real sample consumer, which
// answers ACK on the inspector port), migrates every server off in the simulator and reports the host
// empty; uncordon enables the service and sends maintenance.complete. A leader killed in the middle
// is succeeded by one that follows the same migrations to their end.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startConsumer, type RunningConsumer } from '../../../src/consumer/command.js';
import { createLogger } from '../../../src/observability/logger.js';
import { waitFor } from '../../../tools/cluster/wait.js';
import { operatorNamespace } from '../../../tools/cluster/kube/install.js';
import { shortLeaseArgs } from '../../../tools/demo/operator-process.js';
import { eventsFor, getHostHealth } from '../operator/helpers.js';
import { novaBed, type NovaBed } from '../operator/nova-bed.js';

const key = 'maintenance-test-key';

describe('planned maintenance started by kubectl cordon', function () {
  this.timeout(180_000);
  let bed: NovaBed | undefined;
  let consumer: RunningConsumer | undefined;
  const hosts = ['mt-a', 'mt-b', 'mt-c'];
  const recordDir = mkdtempSync(join(tmpdir(), 'mt-consumer-'));
  const recordFile = join(recordDir, 'arrivals.jsonl');
  const args = [...shortLeaseArgs('mt-test', 4), '--inspector-auth', 'none', '--maintenance-poll-ms', '50'];

  before(async function () {
    bed = await novaBed('mt', hosts, 12, 3);
    await bed.kube.core.createNamespacedSecret({
      namespace: operatorNamespace,
      body: { metadata: { name: 'mt-consumer-key' }, stringData: { key } },
    });
    consumer = await startConsumer({
      port: 0,
      host: '127.0.0.1',
      hmacKey: Buffer.from(key),
      recordFile,
      logger: createLogger('mt-consumer', 'error'),
      maintenance: { mode: 'ack', delayMs: 100, nackServers: [] },
    });
    await bed.startOperator('mt-first', args);
    await bed.applyPolicy(`    notify:
      - {name: vnfm, url: '${consumer.url}/failure', format: aodh, secretRef: {name: mt-consumer-key, key: key}}
      - {name: events, url: '${consumer.url}/failure', format: cloudevents, secretRef: {name: mt-consumer-key, key: key}}
  maintenance: {maxParallelMigrations: 2}`);
  });

  after(async function () {
    for (const host of hosts) await bed?.cluster.kubectl(['uncordon', host]).catch(() => undefined);
    await consumer?.close();
    await bed?.kube.core
      .deleteNamespacedSecret({ name: 'mt-consumer-key', namespace: operatorNamespace })
      .catch(() => undefined);
    await bed?.cleanup();
    rmSync(recordDir, { recursive: true, force: true });
  });

  const phase = async (host: string, wanted: string) => {
    let last: unknown;
    try {
      return await waitFor(
        `${host} maintenance phase ${wanted}`,
        async () => {
          const hh = await getHostHealth(bed!.kube, host);
          last = hh?.status?.maintenance;
          return hh?.status?.maintenance?.phase === wanted ? hh : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 100 },
      );
    } catch (err) {
      const events = (await eventsFor(bed!.kube, 'HostHealth', host)).map((e) => `${e.reason}: ${e.message}`);
      throw new Error(`${String(err)}; last record: ${JSON.stringify(last)}; events: ${events.join(' | ')}`, {
        cause: err,
      });
    }
  };
  const arrivals = () =>
    readFileSync(recordFile, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { type?: string });

  it('cordon: service disabled, consumers told and answering, servers migrated, host reported empty; uncordon undoes it', async function () {
    const { nova, cluster } = bed!;
    const onHost = nova.state.serversOnHost('mt-a').map((s) => s.id);
    assert.equal(onHost.length, 3);
    await cluster.kubectl(['cordon', 'mt-a']);
    const empty = await phase('mt-a', 'HostEmpty');
    assert.equal(nova.state.computeService('mt-a')?.status, 'disabled');
    assert.match(nova.state.computeService('mt-a')?.disabledReason ?? '', /planned maintenance/);
    assert.equal(nova.state.computeService('mt-a')?.forcedDown, false);
    assert.deepEqual(nova.state.serversOnHost('mt-a'), []);
    const record = empty.status?.maintenance;
    assert.equal(record?.trigger, 'cordon');
    assert.deepEqual(
      record?.servers?.map((s) => s.state),
      ['Migrated', 'Migrated', 'Migrated'],
    );
    assert.ok(
      record?.servers?.every((s) => s.answer === 'ACK'),
      'the consumer answered on the inspector port',
    );
    const ready = empty.status?.conditions?.find((c) => c.type === 'ReadyForMaintenance');
    assert.equal(ready?.status, 'True');
    assert.equal(
      empty.status?.state,
      'Maintenance',
      'the inspector keeps a cordoned host out of fault actions',
    );
    const types = arrivals().map((a) => a.type);
    assert.equal(types.filter((t) => t === 'io.doctor.maintenance.scheduled').length, 3);
    assert.ok(types.includes('io.doctor.maintenance.host.empty'));
    const reasons = (await eventsFor(bed!.kube, 'HostHealth', 'mt-a')).map((e) => e.reason);
    for (const reason of [
      'MaintenanceStarted',
      'NovaServiceDisabled',
      'MaintenanceScheduled',
      'ServerMigrated',
      'HostReadyForMaintenance',
    ])
      assert.ok(reasons.includes(reason), `Event ${reason} in ${reasons.join(', ')}`);

    await cluster.kubectl(['uncordon', 'mt-a']);
    const done = await phase('mt-a', 'Complete');
    assert.equal(nova.state.computeService('mt-a')?.status, 'enabled');
    assert.equal(done.status?.maintenance?.steps?.notifyComplete?.message, '2 delivered');
    assert.ok(arrivals().some((a) => a.type === 'io.doctor.maintenance.complete'));
    assert.equal(done.status?.conditions?.find((c) => c.type === 'ReadyForMaintenance')?.status, 'False');
  });

  it('a new leader resumes a maintenance the killed one left mid-migration, starting no migration twice', async function () {
    const b = bed!;
    b.nova.configure({ migrationMs: 4000 });
    // mt-b also holds servers moved there from mt-a by the first test.
    const onHost = b.nova.state.serversOnHost('mt-b').length;
    const second = await b.startOperator('mt-second', args);
    await b.cluster.kubectl(['cordon', 'mt-b']);
    await waitFor(
      'a migration under way',
      async () => {
        const hh = await getHostHealth(b.kube, 'mt-b');
        return hh?.status?.maintenance?.servers?.some((s) => s.state === 'Migrating' && s.migrationId)
          ? true
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    const first = b.operators.find((o) => o.identity === 'mt-first');
    await first?.kill();
    b.nova.configure({ migrationMs: 200 });
    await phase('mt-b', 'HostEmpty');
    assert.ok(await second.isLeader());
    const perServer = new Map<string, number>();
    for (const m of b.nova.state.migrations.filter((m) => m.sourceHost === 'mt-b'))
      perServer.set(m.serverId, (perServer.get(m.serverId) ?? 0) + 1);
    assert.deepEqual([...perServer.values()], Array(onHost).fill(1));
    assert.deepEqual(b.nova.state.serversOnHost('mt-b'), []);
    await b.cluster.kubectl(['uncordon', 'mt-b']);
    await phase('mt-b', 'Complete');
    assert.equal(b.nova.state.computeService('mt-b')?.status, 'enabled');
  });
});

// Planned maintenance, cordon -> host empty: a host with 50 servers whose migrations take 1 s each in
// the Nova simulator. The maintenance manager sees the cordon (Kubernetes in memory: status and Events
// are fakes), disables nova-compute, notifies a real sample consumer in both formats, which answers ACK
// over HTTP on the answer endpoint (signed), then migrates with bounded parallelism and reports the host
// empty. Goal: 50 servers of 1 s each off the host within 3 s at 32 migrations in flight (two rounds of
// migrations plus the notifications, answers and Nova calls around them).
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import type { MaintenanceStatus } from '../../src/api/maintenance-types.js';
import type { NotifyTarget } from '../../src/api/types.js';
import { startConsumer } from '../../src/consumer/command.js';
import { maintenanceAnswerRouter } from '../../src/maintenance/answer-http.js';
import { MaintenanceManager } from '../../src/maintenance/manager.js';
import { defaultTiming, type MaintenancePorts } from '../../src/maintenance/ports.js';
import { deliver } from '../../src/notify/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { createOpenStackClients } from '../../src/openstack/index.js';
import { start as startNovaSim } from '../../tools/nova-sim/index.js';
import type { BenchResult, Figure } from '../lib/report.js';
import { summary } from '../lib/stats.js';

const servers = 50;
const migrationMs = 1000;
const key = Buffer.from('bench-maintenance-key');

async function once(parallel: number, log: (line: string) => void): Promise<number> {
  const sim = await startNovaSim({ hosts: ['m0', 'm1', 'm2', 'm3', 'm4'], serversPerHost: 0, migrationMs });
  for (let i = 0; i < servers; i++) sim.state.addServer('m0', [...sim.state.projects.values()][1]?.id ?? '');
  const clients = await createOpenStackClients(sim.cloudsYaml(), 'openstack', {
    timeoutMs: 10_000,
    maxSockets: 128,
  });
  const logger = createLogger('bench-maintenance', 'error');
  const consumer = await startConsumer({
    port: 0,
    host: '127.0.0.1',
    hmacKey: key,
    logger,
    maintenance: { mode: 'ack', delayMs: 0, nackServers: [] },
  });
  const targets: NotifyTarget[] = [
    { name: 'vnfm', url: `${consumer.url}/failure`, format: 'aodh', timeoutMilliseconds: 2000, projects: [] },
    {
      name: 'events',
      url: `${consumer.url}/failure`,
      format: 'cloudevents',
      timeoutMilliseconds: 2000,
      projects: [],
    },
  ];
  let emptyAt: number | undefined;
  let lastRecord: MaintenanceStatus | undefined;
  const ports: MaintenancePorts = {
    writeStatus: (_node, record) => {
      lastRecord = record;

      if (record.phase === 'HostEmpty') emptyAt ??= performance.now();
      return Promise.resolve();
    },
    event: () => Promise.resolve(),
    deliver: (target, notification) =>
      deliver({ url: target.url, hmacKey: key }, notification, { timeoutMs: 2000 }),
    now: Date.now,
    log: logger,
  };
  let replyBase = '';
  const manager = new MaintenanceManager({
    ports,
    timing: { ...defaultTiming, pollMs: 100 },
    novaFor: () => Promise.resolve(clients.nova),
    keyFor: () => Promise.resolve(key),
    replyBaseUrl: () => replyBase,
  });
  const app = express();
  app.use(
    maintenanceAnswerRouter({
      accepting: () => true,
      keyFor: (s, c) => manager.keyFor(s, c),
      answer: (s, c, a) => manager.answer(s, c, a),
    }),
  );
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  replyBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const started = performance.now();
    manager.sync([
      {
        node: 'm0',
        novaHost: 'm0',
        policyName: 'bench',
        policy: { followNodeCordon: true, maxParallelMigrations: parallel, migrationTimeoutSeconds: 60 },
        targets,
        spec: { enabled: false, maxWaitSeconds: 30, migration: 'live' },
        cordoned: true,
      },
    ]);
    const deadline = Date.now() + 120_000;
    while (emptyAt === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    if (emptyAt === undefined)
      throw new Error(`host not empty within 120 s; last phase ${lastRecord?.phase ?? 'none'}`);
    const ms = emptyAt - started;
    log(
      `maintenance: ${servers} servers, ${parallel} in flight: cordon -> host empty in ${Math.round(ms)} ms`,
    );
    return ms;
  } finally {
    manager.stop();
    await new Promise<void>((r) => server.close(() => r()));
    server.closeAllConnections();
    await consumer.close();
    clients.close();
    await sim.stop();
  }
}

export async function runMaintenanceBenchmark(options: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<BenchResult> {
  const runs = options.quick ? 1 : 5;
  const figures: Figure[] = [];
  const details: Record<string, number[]> = {};
  for (const parallel of [32, 8]) {
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) samples.push(await once(parallel, options.log));
    details[`parallel ${parallel}`] = samples;
    figures.push({
      name: 'cordon -> host empty',
      unit: 'ms',
      ...summary(samples, 'max'),
      settings: { 'migrations in flight': parallel },
      ...(parallel === 32
        ? { goal: { statistic: 'max', op: '<=', value: 3000 } }
        : { note: 'context: the default parallelism, about seven rounds of 1 s migrations' }),
    });
  }
  return {
    benchmark: 'maintenance',
    description: `planned maintenance of a host with ${servers} servers, migrations of ${migrationMs} ms in the Nova simulator: cordon seen -> service disabled, consumers told and answering ACK over HTTP, every server migrated, host reported empty (Kubernetes in memory)`,
    settings: { servers, 'migration time': `${migrationMs} ms`, 'consumer answer delay': '0 ms' },
    figures,
    details,
  };
}

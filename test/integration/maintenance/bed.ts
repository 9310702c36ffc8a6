// A maintenance job against the Nova simulator and the real client, with recording fakes for the
// Kubernetes side (status, Events) and for delivery: what each test asserts on.
import type { MaintenanceStatus, HostMaintenanceSpec } from '../../../src/api/maintenance-types.js';
import type { NotifyTarget } from '../../../src/api/types.js';
import { MaintenanceJob } from '../../../src/maintenance/job.js';
import { defaultTiming, type MaintenancePorts, type ReadyCondition } from '../../../src/maintenance/ports.js';
import type { PreparedNotification } from '../../../src/notify/index.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createOpenStackClients, type OpenStackClients } from '../../../src/openstack/index.js';
import { type NovaSim, type SimOptions, start } from '../../../tools/nova-sim/index.js';

export interface Sent {
  consumer: string;
  notification: PreparedNotification;
  body: {
    reason_data?: { event: { event_type: string } };
    type?: string;
    data?: { server?: { id: string } };
  };
}

export interface JobBed {
  sim: NovaSim;
  clients: OpenStackClients;
  sent: Sent[];
  events: { type: string; reason: string; message: string }[];
  records: MaintenanceStatus[];
  conditions: ReadyCondition[];
  ports: MaintenancePorts;
  job(spec?: Partial<HostMaintenanceSpec>, prior?: MaintenanceStatus): MaintenanceJob;
  last(): MaintenanceStatus;
  close(): Promise<void>;
}

export const targets: NotifyTarget[] = [
  { name: 'vnfm', url: 'http://127.0.0.1:9/unused', format: 'aodh', timeoutMilliseconds: 1000, projects: [] },
  {
    name: 'events',
    url: 'http://127.0.0.1:9/unused',
    format: 'cloudevents',
    timeoutMilliseconds: 1000,
    projects: [],
  },
];

export const quickTiming = { ...defaultTiming, pollMs: 20, retryBaseMs: 10, recheckMs: 100 };

export async function jobBed(options: SimOptions = {}): Promise<JobBed> {
  const sim = await start({ hosts: ['h1', 'h2', 'h3'], serversPerHost: 3, migrationMs: 50, ...options });
  const clients = await createOpenStackClients(sim.cloudsYaml(), 'openstack', { timeoutMs: 5000 });
  const sent: Sent[] = [];
  const events: JobBed['events'] = [];
  const records: MaintenanceStatus[] = [];
  const conditions: ReadyCondition[] = [];
  const ports: MaintenancePorts = {
    writeStatus: (_node, record, condition) => {
      records.push(record);
      if (condition !== undefined) conditions.push(condition);
      return Promise.resolve();
    },
    event: (_node, type, reason, message) => {
      events.push({ type, reason, message });
      return Promise.resolve();
    },
    deliver: (target, notification) => {
      sent.push({ consumer: target.name, notification, body: JSON.parse(notification.body) as Sent['body'] });
      return Promise.resolve({ ok: true, status: 200, retryable: false, durationMs: 1 });
    },
    now: Date.now,
    log: createLogger('maintenance-test', 'error'),
  };
  return {
    sim,
    clients,
    sent,
    events,
    records,
    conditions,
    ports,
    job(spec = {}, prior) {
      return new MaintenanceJob(
        ports,
        {
          node: 'node-h1',
          novaHost: 'h1',
          nova: clients.nova,
          targets,
          policy: { followNodeCordon: true, maxParallelMigrations: 2, migrationTimeoutSeconds: 30 },
          spec: { enabled: true, maxWaitSeconds: 5, migration: 'live', reason: 'firmware', ...spec },
          trigger: 'cordon',
          replyUrl: (session, consumer) => `http://127.0.0.1:1/maintenance/v1/${session}/${consumer}`,
        },
        quickTiming,
        prior,
      );
    },
    last() {
      const record = records.at(-1);
      if (record === undefined) throw new Error('no status written');
      return record;
    },
    async close() {
      clients.close();
      await sim.stop();
    },
  };
}

export async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000 && Date.now() < deadline; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

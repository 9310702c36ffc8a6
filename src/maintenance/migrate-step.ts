// The migrate step of a maintenance: `maxParallelMigrations` workers each take the next server an answer
// (or the answers deadline) has settled and move it, following its Nova migration to the end; while the
// rest still wait for their answers the workers sleep, woken by each answer. Servers settled to stay (a
// NACK, action none or OWN_ACTION) are recorded as such on the way.
import { maintenanceEventReasons as reasons } from '../api/maintenance-event-reasons.js';
import type { MaintenanceServer, MaintenanceStatus } from '../api/maintenance-types.js';
import { targetWants } from './notify-consumers.js';
import type { Pause } from './pause.js';
import type { MaintenanceHost, MaintenancePorts, MaintenanceTiming } from './ports.js';
import { moveServer } from './server-move.js';

export interface MigrationRun {
  host: MaintenanceHost;
  ports: MaintenancePorts;
  timing: MaintenanceTiming;
  pause: Pause;
  /** The job's record: its servers are updated in place. */
  record: MaintenanceStatus;
  /** Servers a worker has taken: an answer about them is too late from then on. */
  claimed: Set<string>;
  cancelled(): boolean;
  /** Writes the record. */
  save(): Promise<void>;
}

/** Runs the step to its end (or until cancelled); says what became of the servers. */
export async function migrateSettledServers(run: MigrationRun): Promise<string> {
  const servers = run.record.servers ?? [];
  const waiting = () => servers.some((s) => s.state === 'Pending' && !run.claimed.has(s.id));
  const worker = async () => {
    while (!run.cancelled()) {
      const server = nextToMove(run);
      if (server !== undefined) {
        await move(run, server);
        continue;
      }
      if (!waiting()) return;
      await run.pause.sleep(Math.min(Math.max(deadlineOf(run) - run.ports.now(), 0) + 1, 60_000));
    }
  };
  await Promise.all(Array.from({ length: run.host.policy.maxParallelMigrations }, worker));
  const count = (state: MaintenanceServer['state']) => servers.filter((s) => s.state === state).length;
  return `${count('Migrated')} migrated, ${count('Failed')} failed, ${count('Refused')} refused, ${count('Left')} left`;
}

function deadlineOf(run: MigrationRun): number {
  const deadline = Date.parse(run.record.answersDeadline ?? '');
  return Number.isNaN(deadline) ? run.ports.now() : deadline;
}

const iso = (run: MigrationRun) => new Date(run.ports.now()).toISOString();

/**
 * The next server to move, taken for the caller: one found migrating on a resume, or one an answer or
 * the deadline has settled. Servers settled to stay are recorded on the way.
 */
function nextToMove(run: MigrationRun): MaintenanceServer | undefined {
  const deadlinePassed = run.ports.now() >= deadlineOf(run);
  let recorded = false;
  let next: MaintenanceServer | undefined;
  for (const server of run.record.servers ?? []) {
    if (run.claimed.has(server.id)) continue;
    if (server.state === 'Migrating') {
      next = server;
      break;
    }
    if (server.state !== 'Pending') continue;
    const asked = run.host.targets.some((t) => targetWants(t.projects, server.project));
    if (server.answer === undefined && asked && !deadlinePassed) continue;
    if (server.answer === 'NACK') {
      server.state = 'Refused';
      server.message = `${server.answeredBy ?? 'a consumer'} answered NACK: left on the host`;
      server.time = iso(run);
      recorded = true;
      void run.ports.event(
        run.host.node,
        'Warning',
        reasons.serverRefused,
        `server ${server.id}: ${server.message}`,
      );
      continue;
    }
    server.action ??= run.host.spec.migration ?? 'live';
    if (server.action === 'none') {
      server.state = 'Left';
      server.message =
        server.answer === 'ACK'
          ? 'the consumer moves it itself (OWN_ACTION)'
          : 'migration none: left on the host';
      server.time = iso(run);
      recorded = true;
      continue;
    }
    next = server;
    break;
  }
  if (next !== undefined) {
    run.claimed.add(next.id);
    run.record.phase = 'Migrating';
  }
  if (recorded) void run.save();
  return next;
}

function move(run: MigrationRun, server: MaintenanceServer): Promise<void> {
  const { host, ports } = run;
  return moveServer(
    {
      nova: host.nova,
      pause: run.pause,
      pollMs: run.timing.pollMs,
      timeoutMs: host.policy.migrationTimeoutSeconds * 1000,
      now: () => ports.now(),
      cancelled: () => run.cancelled(),
      changed: (changed) => {
        void run.save();
        if (changed.state === 'Failed' || changed.state === 'Migrated') {
          const failed = changed.state === 'Failed';
          void ports.event(
            host.node,
            failed ? 'Warning' : 'Normal',
            failed ? reasons.migrationFailed : reasons.serverMigrated,
            `server ${changed.id}: ${changed.message ?? ''}`,
          );
        }
      },
    },
    server,
  );
}

// Moves one server off a host under maintenance and follows its Nova migration to the end: completed
// (live) or finished then confirmed (cold) is Migrated, error or a timeout is Failed, with Nova's words.
// The migration id is recorded as soon as it is known, so a restarted operator follows that migration
// instead of starting another one; a server already migrating (409) is followed too.
import type { MaintenanceServer } from '../api/maintenance-types.js';
import { OpenStackHttpError, type MigrationRecord, type NovaMaintenanceApi } from '../openstack/index.js';
import { errorText } from '../util/error-text.js';
import type { Pause } from './pause.js';

const failed = new Set(['error', 'failed', 'cancelled', 'aborted']);

export interface MoveContext {
  nova: NovaMaintenanceApi;
  pause: Pause;
  pollMs: number;
  timeoutMs: number;
  now: () => number;
  /** Whether to stop following (maintenance ended or the job stopped); the server keeps its state. */
  cancelled: () => boolean;
  /** After each change of the record (the caller writes status). */
  changed: (server: MaintenanceServer) => void;
}

function settle(
  ctx: MoveContext,
  server: MaintenanceServer,
  state: MaintenanceServer['state'],
  message: string,
) {
  server.state = state;
  server.message = message.slice(0, 1024);
  server.time = new Date(ctx.now()).toISOString();
  ctx.changed(server);
}

async function start(
  ctx: MoveContext,
  server: MaintenanceServer,
): Promise<Set<string> | 'followExisting' | 'done'> {
  const before = new Set((await ctx.nova.listServerMigrations(server.id)).map((m) => m.id));
  try {
    if (server.action === 'cold') await ctx.nova.migrateServer(server.id);
    else await ctx.nova.liveMigrateServer(server.id);
  } catch (err) {
    if (err instanceof OpenStackHttpError && err.status === 404) {
      settle(ctx, server, 'Left', 'the server no longer exists');
      return 'done';
    }
    // Already migrating (a previous operator started it): follow that migration.
    if (err instanceof OpenStackHttpError && err.status === 409) return 'followExisting';
    throw err;
  }
  return before;
}

/** The migration to follow: the one recorded, the one this call started, or the newest. */
function pick(
  migrations: MigrationRecord[],
  server: MaintenanceServer,
  before: Set<string> | undefined,
): MigrationRecord | undefined {
  if (server.migrationId !== undefined) return migrations.find((m) => m.id === server.migrationId);
  if (before !== undefined) return migrations.find((m) => !before.has(m.id));
  // Resumed (or found already migrating): the newest migration is the one started for maintenance, even
  // when it ended while no operator was watching.
  return migrations[0];
}

export async function moveServer(ctx: MoveContext, server: MaintenanceServer): Promise<void> {
  let before: Set<string> | undefined;
  try {
    if (server.state !== 'Migrating') {
      const started = await start(ctx, server);
      if (started === 'done') return;
      if (started !== 'followExisting') before = started;
      server.state = 'Migrating';
      server.time = new Date(ctx.now()).toISOString();
      ctx.changed(server);
    }
    const deadline = ctx.now() + ctx.timeoutMs;
    while (!ctx.cancelled()) {
      const migration = pick(await ctx.nova.listServerMigrations(server.id), server, before);
      if (migration !== undefined && server.migrationId !== migration.id) {
        server.migrationId = migration.id;
        server.toHost = migration.destHost;
        ctx.changed(server);
      }
      if (migration !== undefined && (await ended(ctx, server, migration))) return;
      if (ctx.now() >= deadline) {
        settle(
          ctx,
          server,
          'Failed',
          `the migration did not end within ${Math.round(ctx.timeoutMs / 1000)} s`,
        );
        return;
      }
      await ctx.pause.sleep(ctx.pollMs);
    }
  } catch (err) {
    settle(ctx, server, 'Failed', errorText(err));
  }
}

/** Settles the server when its migration is over; true then. */
async function ended(
  ctx: MoveContext,
  server: MaintenanceServer,
  migration: MigrationRecord,
): Promise<boolean> {
  if (migration.status === 'completed' || migration.status === 'confirmed') {
    settle(ctx, server, 'Migrated', `moved to ${migration.destHost}`);
    return true;
  }
  if (migration.status === 'finished') {
    // A cold migration waits in VERIFY_RESIZE for the confirmation.
    await ctx.nova.confirmResize(server.id);
    settle(ctx, server, 'Migrated', `moved to ${migration.destHost} (cold, confirmed)`);
    return true;
  }
  if (failed.has(migration.status)) {
    settle(
      ctx,
      server,
      'Failed',
      `Nova migration ${migration.id} ended in ${migration.status}; the server stays on its host`,
    );
    return true;
  }
  return false;
}

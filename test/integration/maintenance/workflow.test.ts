// The maintenance workflow of one host against the Nova simulator: every step in order, each answer
// honoured (and acted on as it arrives), every failure shown per server, and a restart that follows
// migrations instead of repeating them.
import assert from 'node:assert/strict';
import { jobBed, type JobBed, until } from './bed.js';

describe('maintenance workflow', function () {
  this.timeout(30_000);
  let bed: JobBed;

  afterEach(async () => {
    await bed?.close();
  });

  const serverIds = () => bed.sim.state.serversOnHost('h1').map((s) => s.id);

  it('disables the service, tells each consumer per server, migrates on ACK, reports empty, and undoes it all on exit', async () => {
    bed = await jobBed();
    const ids = serverIds();
    const job = bed.job();
    const run = job.start();
    await until('notifications', () => (bed.sent.length === 6 ? true : undefined));
    const service = bed.sim.state.computeService('h1');
    assert.equal(service?.status, 'disabled');
    assert.equal(service?.disabledReason, 'doctor-operator: planned maintenance: firmware');
    assert.equal(service?.forcedDown, false);
    const aodh = bed.sent.filter((s) => s.consumer === 'vnfm');
    assert.deepEqual(
      aodh.map((s) => s.body.reason_data?.event.event_type),
      Array(3).fill('maintenance.scheduled'),
    );
    const ce = bed.sent.filter((s) => s.consumer === 'events');
    assert.deepEqual(
      ce.map((s) => s.body.type),
      Array(3).fill('io.doctor.maintenance.scheduled'),
    );
    assert.deepEqual(ce.map((s) => s.body.data?.server?.id).sort(), [...ids].sort());
    assert.equal(
      (await job.answer('vnfm', { sessionId: job.sessionId, verdict: 'ACK', actions: {} })).status,
      200,
    );
    await run;
    assert.deepEqual(bed.sim.state.serversOnHost('h1'), []);
    const record = bed.last();
    assert.equal(record.phase, 'HostEmpty');
    assert.deepEqual(
      record.servers?.map((s) => s.state),
      ['Migrated', 'Migrated', 'Migrated'],
    );
    assert.ok(record.servers?.every((s) => s.answer === 'ACK' && s.answeredBy === 'vnfm' && s.migrationId));
    assert.equal(record.steps?.answers?.message, 'every answer arrived (3 server(s))');
    assert.deepEqual(bed.conditions.at(-1), {
      status: 'True',
      reason: 'HostEmpty',
      message: 'no server is left on h1: it may be taken down',
    });
    assert.ok(bed.events.some((e) => e.reason === 'HostReadyForMaintenance'));
    assert.ok(bed.sent.some((s) => s.body.type === 'io.doctor.maintenance.host.empty'));
    // Only h2 and h3 received them, never the host under maintenance.
    assert.equal(bed.sim.state.serversOnHost('h2').length + bed.sim.state.serversOnHost('h3').length, 9);

    await job.end();
    assert.equal(bed.sim.state.computeService('h1')?.status, 'enabled');
    assert.equal(bed.last().phase, 'Complete');
    assert.equal(bed.last().steps?.enableService?.state, 'Done');
    assert.equal(bed.last().steps?.notifyComplete?.message, '2 delivered');
    assert.equal(bed.conditions.at(-1)?.reason, 'MaintenanceEnded');
    assert.ok(bed.sent.some((s) => s.body.reason_data?.event.event_type === 'maintenance.complete'));
  });

  it('leaves a NACKed server on the host, shown as Refused, and does not report the host empty', async () => {
    bed = await jobBed();
    const [refused, ...others] = serverIds();
    const job = bed.job();
    const run = job.start();
    await until('notifications', () => (bed.sent.length === 6 ? true : undefined));
    await job.answer('vnfm', {
      sessionId: job.sessionId,
      verdict: 'NACK',
      serverIds: [refused as string],
      actions: {},
    });
    await job.answer('events', { sessionId: job.sessionId, verdict: 'ACK', serverIds: others, actions: {} });
    await until('blocked', () => (bed.records.at(-1)?.phase === 'Blocked' ? true : undefined));
    const record = bed.last();
    assert.equal(record.servers?.find((s) => s.id === refused)?.state, 'Refused');
    assert.match(record.servers?.find((s) => s.id === refused)?.message ?? '', /vnfm answered NACK/);
    assert.deepEqual(
      bed.sim.state.serversOnHost('h1').map((s) => s.id),
      [refused],
    );
    assert.equal(bed.conditions.at(-1)?.reason, 'ServersRemain');
    assert.ok(bed.events.some((e) => e.reason === 'MigrationRefused' && e.type === 'Warning'));
    await job.end();
    await run;
    assert.equal(bed.last().phase, 'Complete');
  });

  it('shows a failed migration per server with Nova’s words', async () => {
    bed = await jobBed();
    const [failing] = bed.sim.state.serversOnHost('h1');
    bed.sim.configure({ failMigrations: [failing?.name ?? ''] });
    const job = bed.job({ maxWaitSeconds: 0 });
    const run = job.start();
    await until('blocked', () => (bed.records.at(-1)?.phase === 'Blocked' ? true : undefined));
    const server = bed.last().servers?.find((s) => s.id === failing?.id);
    assert.equal(server?.state, 'Failed');
    assert.match(server?.message ?? '', /ended in error; the server stays on its host/);
    assert.match(bed.last().steps?.migrate?.message ?? '', /2 migrated, 1 failed/);
    assert.ok(bed.events.some((e) => e.reason === 'MigrationFailed'));
    await job.end();
    await run;
  });

  it('goes on without a consumer that never answers once maxWaitSeconds has passed', async () => {
    bed = await jobBed();
    const started = Date.now();
    const job = bed.job({ maxWaitSeconds: 1 });
    await job.start();
    assert.ok(Date.now() - started >= 900, 'waited for the answers');
    assert.equal(bed.last().phase, 'HostEmpty');
    assert.equal(bed.last().steps?.answers?.message, '3 of 3 server(s) unanswered by the deadline');
    assert.ok(bed.last().servers?.every((s) => s.answer === undefined && s.state === 'Migrated'));
    await job.end();
  });

  it('moves each server as soon as it is answered, while the others still wait for theirs', async () => {
    bed = await jobBed();
    const [first, ...rest] = serverIds();
    const job = bed.job({ maxWaitSeconds: 30 });
    const run = job.start();
    await until('notifications', () => (bed.sent.length === 6 ? true : undefined));
    const started = Date.now();
    const ack = (ids: string[]) =>
      job.answer('vnfm', { sessionId: job.sessionId, verdict: 'ACK', serverIds: ids, actions: {} });
    assert.equal((await ack([first as string])).status, 200);
    const byId = () => new Map(bed.last().servers?.map((s) => [s.id, s]));
    await until('the answered server moved', () =>
      byId().get(first as string)?.state === 'Migrated' ? true : undefined,
    );
    assert.ok(Date.now() - started < 10_000, 'long before the 30 s deadline');
    assert.deepEqual(
      rest.map((id) => byId().get(id)?.state),
      ['Pending', 'Pending'],
    );
    assert.equal(bed.last().steps?.answers?.state, 'Running');
    assert.equal(bed.last().phase, 'Migrating');
    // Once moved, the server can no longer be refused.
    const tooLate = await job.answer('events', {
      sessionId: job.sessionId,
      verdict: 'NACK',
      serverIds: [first as string],
      actions: {},
    });
    assert.equal(tooLate.status, 409);
    assert.equal((await ack(rest)).status, 200);
    await run;
    assert.equal(bed.last().phase, 'HostEmpty');
    assert.deepEqual(
      bed.last().servers?.map((s) => s.state),
      ['Migrated', 'Migrated', 'Migrated'],
    );
    assert.equal(bed.last().steps?.answers?.message, 'every answer arrived (3 server(s))');
    await job.end();
  });

  it('moves cold and leaves OWN_ACTION servers as the answers say', async () => {
    bed = await jobBed();
    const [cold, own, live] = serverIds();
    const job = bed.job({ migration: 'cold' });
    const run = job.start();
    await until('notifications', () => (bed.sent.length === 6 ? true : undefined));
    await job.answer('vnfm', {
      sessionId: job.sessionId,
      verdict: 'ACK',
      actions: { [own as string]: 'none', [live as string]: 'live' },
    });
    await until('blocked', () => (bed.records.at(-1)?.phase === 'Blocked' ? true : undefined));
    const byId = new Map(bed.last().servers?.map((s) => [s.id, s]));
    assert.equal(byId.get(cold as string)?.state, 'Migrated');
    assert.match(byId.get(cold as string)?.message ?? '', /cold, confirmed/);
    assert.equal(bed.sim.state.servers.get(cold as string)?.status, 'ACTIVE');
    assert.equal(byId.get(own as string)?.state, 'Left');
    assert.equal(byId.get(live as string)?.state, 'Migrated');
    const types = bed.sim.state.migrations.map((m) => [m.serverId, m.migrationType]);
    assert.deepEqual(new Map(types as [string, string][]).get(live as string), 'live-migration');
    // The consumer moves its own server itself: the host becomes empty and is reported so.
    bed.sim.state.servers.delete(own as string);
    await until('host empty', () => (bed.records.at(-1)?.phase === 'HostEmpty' ? true : undefined));
    await job.end();
    await run;
  });

  it('refuses answers about servers the consumer was not told about, and late ones', async () => {
    bed = await jobBed();
    const job = bed.job({ maxWaitSeconds: 0 });
    await job.start();
    const notTold = await job.answer('vnfm', {
      sessionId: job.sessionId,
      verdict: 'ACK',
      serverIds: ['nope'],
      actions: {},
    });
    assert.equal(notTold.status, 403);
    const stranger = await job.answer('stranger', { sessionId: job.sessionId, verdict: 'ACK', actions: {} });
    assert.equal(stranger.status, 403);
    const late = await job.answer('vnfm', { sessionId: job.sessionId, verdict: 'NACK', actions: {} });
    assert.equal(late.status, 409);
    await job.end();
    assert.equal(
      (await job.answer('vnfm', { sessionId: job.sessionId, verdict: 'ACK', actions: {} })).status,
      409,
    );
  });

  it('resumes after a restart mid-migration: follows the migrations started, even unrecorded or ended ones, starts none twice', async () => {
    bed = await jobBed({ migrationMs: 600 });
    const first = bed.job({ maxWaitSeconds: 0 });
    void first.start();
    await until('a migration recorded', () =>
      bed.records.at(-1)?.servers?.some((s) => s.state === 'Migrating' && s.migrationId) ? true : undefined,
    );
    first.stop();
    const prior = structuredClone(bed.last());
    // One server was killed between its POST and learning the migration id, and that migration ended
    // while nobody watched: it is still followed to its end.
    const unrecorded = prior.servers?.find((s) => s.state === 'Migrating');
    assert.ok(unrecorded);
    delete unrecorded.migrationId;
    await until('the migrations to end unwatched', () =>
      bed.sim.state.migrations.every((m) => m.status === 'completed') ? true : undefined,
    );
    const second = bed.job({ maxWaitSeconds: 0 }, prior);
    assert.equal(second.sessionId, prior.sessionId);
    const sentBefore = bed.sent.length;
    await second.start();
    assert.equal(bed.last().phase, 'HostEmpty');
    assert.equal(bed.sent.length - sentBefore, 2, 'only the host-empty notifications, nothing sent twice');
    const perServer = new Map<string, number>();
    for (const m of bed.sim.state.migrations) perServer.set(m.serverId, (perServer.get(m.serverId) ?? 0) + 1);
    assert.deepEqual([...perServer.values()], [1, 1, 1]);
    assert.equal(bed.sim.novaCalls('PUT', /os-services/).length, 1, 'the service was disabled once');
    await second.end();
  });

  it('leaves a service remediation had forced down as it was, at the start and at the end', async () => {
    bed = await jobBed();
    const service = bed.sim.state.computeService('h1');
    assert.ok(service);
    Object.assign(service, { status: 'disabled', forcedDown: true, disabledReason: 'doctor: host down' });
    const job = bed.job({ migration: 'none', maxWaitSeconds: 0 });
    void job.start();
    await until('the disable step', () =>
      bed.records.at(-1)?.steps?.disableService?.state === 'Done' ? true : undefined,
    );
    assert.equal(bed.last().serviceWasDown, true);
    await job.end();
    assert.equal(bed.last().phase, 'Complete');
    assert.equal(bed.last().steps?.enableService?.state, 'Skipped');
    assert.deepEqual(
      [service.status, service.forcedDown, service.disabledReason],
      ['disabled', true, 'doctor: host down'],
    );
    assert.equal(bed.sim.novaCalls('PUT', /os-services/).length, 0, 'the service was never written');
  });

  it('enables at the end a service an earlier attempt of this maintenance disabled', async () => {
    bed = await jobBed();
    const service = bed.sim.state.computeService('h1');
    assert.ok(service);
    // An operator that disabled it and died before recording the step Done.
    Object.assign(service, { status: 'disabled', disabledReason: 'doctor-operator: planned maintenance' });
    const job = bed.job(
      { migration: 'none', maxWaitSeconds: 0 },
      {
        sessionId: 'node-h1-1',
        trigger: 'cordon',
        phase: 'DisablingService',
        startedTime: new Date().toISOString(),
        steps: { disableService: { state: 'Running', attempts: 1 } },
      },
    );
    void job.start();
    await until('the disable step', () =>
      bed.records.at(-1)?.steps?.disableService?.state === 'Done' ? true : undefined,
    );
    assert.equal(bed.last().serviceWasDown, false);
    await job.end();
    assert.equal(bed.last().steps?.enableService?.state, 'Done');
    assert.equal(service.status, 'enabled');
  });
});

// The manager turns what each host wants into jobs: a cordon starts one, answers reach it by session, an
// uncordon ends it; a record left unfinished by a previous leader is resumed, or only wound up when
// maintenance ended meanwhile; a released host is wound up, a paused one stopped where it is; a Nova
// client that cannot be built is retried on the next sync.
import assert from 'node:assert/strict';
import { MaintenanceManager, type HostView } from '../../../src/maintenance/manager.js';
import { jobBed, type JobBed, quickTiming, targets, until } from './bed.js';

describe('maintenance manager', function () {
  this.timeout(30_000);
  let bed: JobBed;
  let manager: MaintenanceManager;
  let novaFails = false;

  beforeEach(async () => {
    bed = await jobBed();
    novaFails = false;
    manager = new MaintenanceManager({
      ports: bed.ports,
      timing: quickTiming,
      novaFor: () =>
        novaFails ? Promise.reject(new Error('no clouds.yaml')) : Promise.resolve(bed.clients.nova),
      keyFor: (target) => Promise.resolve(target.name === 'vnfm' ? Buffer.from('k') : undefined),
      replyBaseUrl: () => 'http://127.0.0.1:1',
    });
  });

  afterEach(async () => {
    manager.stop();
    await bed.close();
  });

  const view = (changes: Partial<HostView> = {}): HostView => ({
    node: 'node-h1',
    novaHost: 'h1',
    policyName: 'p',
    policy: { followNodeCordon: true, maxParallelMigrations: 4, migrationTimeoutSeconds: 30 },
    targets,
    spec: { enabled: false, maxWaitSeconds: 5, migration: 'live' },
    cordoned: true,
    ...changes,
  });

  it('starts on a cordon, routes answers by session, and ends on the uncordon', async () => {
    manager.sync([view()]);
    await until('notifications', () => (bed.sent.length === 6 ? true : undefined));
    const session = bed.last().sessionId;
    assert.deepEqual(await manager.keyFor(session, 'vnfm'), Buffer.from('k'));
    assert.equal(await manager.keyFor(session, 'events'), 'unsigned');
    assert.equal(await manager.keyFor('other', 'vnfm'), undefined);
    assert.equal(
      (await manager.answer('other', 'vnfm', { sessionId: 'other', verdict: 'ACK', actions: {} })).status,
      404,
    );
    const outcome = await manager.answer(session, 'vnfm', {
      sessionId: session,
      verdict: 'ACK',
      actions: {},
    });
    assert.equal(outcome.status, 200);
    await until('host empty', () => (bed.records.at(-1)?.phase === 'HostEmpty' ? true : undefined));
    manager.sync([view()]); // nothing changes while it is wanted
    manager.sync([view({ cordoned: false })]);
    await manager.settled('node-h1');
    assert.equal(bed.last().phase, 'Complete');
    assert.equal(bed.sim.state.computeService('h1')?.status, 'enabled');
  });

  it('leaves the maintenance of an unseen host (its Node missing) as it is: no exit steps', async () => {
    manager.sync([view({ spec: { enabled: false, maxWaitSeconds: 0 } })]);
    await until('host empty', () => (bed.records.at(-1)?.phase === 'HostEmpty' ? true : undefined));
    const session = bed.last().sessionId;
    const written = bed.records.length;
    manager.sync([], new Set(['node-h1']));
    await manager.settled('node-h1');
    assert.equal(bed.records.length, written, 'nothing written');
    assert.equal(bed.last().phase, 'HostEmpty');
    assert.equal(bed.sim.state.computeService('h1')?.status, 'disabled');
    assert.equal(await manager.keyFor(session, 'events'), 'unsigned', 'the session is still served');
    // Once the Node is back, the same session goes on and ends on the uncordon.
    manager.sync([view({ cordoned: false })]);
    await manager.settled('node-h1');
    assert.equal(bed.last().phase, 'Complete');
    assert.equal(bed.last().sessionId, session);
  });

  it('winds up the maintenance of a released host (its policy or HostHealth gone): the service is enabled', async () => {
    manager.sync([view({ spec: { enabled: false, maxWaitSeconds: 0 } })]);
    await until('host empty', () => (bed.records.at(-1)?.phase === 'HostEmpty' ? true : undefined));
    assert.equal(bed.sim.state.computeService('h1')?.status, 'disabled');
    manager.sync([]);
    await manager.settled('node-h1');
    assert.equal(bed.last().phase, 'Complete');
    assert.equal(bed.sim.state.computeService('h1')?.status, 'enabled');
    assert.ok(bed.events.some((e) => e.reason === 'MaintenanceComplete'));
  });

  it('stops the maintenance of a host whose policy is paused: no exit steps, resumed on unpause', async () => {
    manager.sync([view({ spec: { enabled: false, maxWaitSeconds: 0 } })]);
    await until('host empty', () => (bed.records.at(-1)?.phase === 'HostEmpty' ? true : undefined));
    const prior = structuredClone(bed.last());
    const written = bed.records.length;
    manager.sync([], new Set(), new Set(['node-h1']));
    await manager.settled('node-h1');
    assert.equal(bed.records.length, written, 'nothing written');
    assert.equal(bed.sim.state.computeService('h1')?.status, 'disabled');
    // Unpaused and uncordoned meanwhile: the same session is wound up from its record.
    manager.sync([view({ cordoned: false, prior })]);
    await until('complete', () => (bed.records.at(-1)?.phase === 'Complete' ? true : undefined));
    assert.equal(bed.last().sessionId, prior.sessionId);
    assert.equal(bed.sim.state.computeService('h1')?.status, 'enabled');
  });

  it('ignores a cordon when the policy does not follow it', async () => {
    manager.sync([
      view({ policy: { followNodeCordon: false, maxParallelMigrations: 1, migrationTimeoutSeconds: 10 } }),
    ]);
    await manager.settled('node-h1');
    assert.deepEqual(bed.records, []);
  });

  it('winds up a maintenance that ended while no operator led: exit steps only', async () => {
    manager.sync([view({ spec: { enabled: false, maxWaitSeconds: 0 } })]);
    await until('host empty', () => (bed.records.at(-1)?.phase === 'HostEmpty' ? true : undefined));
    const prior = structuredClone(bed.last());
    manager.stop();
    const successor = new MaintenanceManager({
      ports: bed.ports,
      timing: quickTiming,
      novaFor: () => Promise.resolve(bed.clients.nova),
      keyFor: () => Promise.resolve(undefined),
      replyBaseUrl: () => 'http://127.0.0.1:1',
    });
    const migrations = bed.sim.state.migrations.length;
    successor.sync([view({ cordoned: false, prior })]);
    await until('complete', () => (bed.records.at(-1)?.phase === 'Complete' ? true : undefined));
    assert.equal(bed.last().sessionId, prior.sessionId);
    assert.equal(bed.sim.state.migrations.length, migrations, 'nothing migrated again');
    assert.equal(bed.sim.state.computeService('h1')?.status, 'enabled');
    successor.sync([]);
    successor.stop();
  });

  it('tries again on the next sync when the Nova client cannot be built', async () => {
    novaFails = true;
    manager.sync([view()]);
    await until('the Warning', () =>
      bed.events.some((e) => e.reason === 'MaintenanceStepFailed') ? true : undefined,
    );
    novaFails = false;
    manager.sync([view({ spec: { enabled: true, maxWaitSeconds: 0 } })]);
    await until('host empty', () => (bed.records.at(-1)?.phase === 'HostEmpty' ? true : undefined));
    assert.equal(bed.last().trigger, 'both');
  });
});

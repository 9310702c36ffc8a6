import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NicWatcher, OperstateReader, operstateIsUp, type NicReading } from '../../../src/monitor/nic.js';

describe('NIC watcher', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'doctor-net-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const setState = (iface: string, state: string): void => {
    mkdirSync(join(dir, iface), { recursive: true });
    writeFileSync(join(dir, iface, 'operstate'), `${state}\n`);
  };

  /** A watcher of `interfaces` under the test directory that collects its readings. */
  const watch = (interfaces: string[], intervalMs: number) => {
    const readings: NicReading[] = [];
    const watcher = new NicWatcher({
      netClassDir: dir,
      interfaces,
      intervalMs,
      clock: Date.now,
      onReading: (r) => readings.push(r),
      onMissing: () => undefined,
      onError: (iface, err) => assert.fail(`${iface}: ${err.message}`),
    });
    return { watcher, readings };
  };

  it('maps operstate values to up/down', () => {
    assert.equal(operstateIsUp('up'), true);
    assert.equal(operstateIsUp('unknown'), true);
    for (const s of ['down', 'lowerlayerdown', 'dormant', 'notpresent', 'testing', 'absent'])
      assert.equal(operstateIsUp(s), false);
  });

  it('reads operstate under the configured directory, fresh on every read; a missing interface is "absent"', () => {
    setState('eth0', 'up');
    const reader = new OperstateReader(dir);
    try {
      assert.equal(reader.read('eth0'), 'up');
      setState('eth0', 'lowerlayerdown');
      assert.equal(reader.read('eth0'), 'lowerlayerdown');
      assert.equal(reader.read('eth9'), 'absent');
      setState('eth9', 'up');
      assert.equal(reader.read('eth9'), 'up', 'an interface that appears later is found');
    } finally {
      reader.close();
    }
  });

  it('polls every interval and passes each reading on', async () => {
    setState('eth0', 'up');
    const { watcher, readings } = watch(['eth0', 'eth1'], 20);
    try {
      watcher.start();
      await new Promise((r) => setTimeout(r, 70));
      setState('eth0', 'down');
      const deadline = Date.now() + 2000;
      while (!readings.some((r) => r.iface === 'eth0' && !r.up) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
    } finally {
      watcher.stop();
    }
    assert.ok(readings.some((r) => r.iface === 'eth0' && r.up && r.operstate === 'up'));
    assert.ok(readings.some((r) => r.iface === 'eth0' && !r.up && r.operstate === 'down'));
    assert.ok(!readings.some((r) => r.iface === 'eth1'), 'a missing interface gives no link reading');
    const count = readings.length;
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(readings.length, count, 'no readings after stop');
  });

  it('runs no timer while no interface is watched, and starts polling when one is added', async () => {
    setState('eth0', 'up');
    const { watcher, readings } = watch([], 10);
    try {
      watcher.start();
      assert.equal(watcher.polling, false, 'an idle watcher holds no timer');
      watcher.update(['eth0'], 10);
      assert.equal(watcher.polling, true, 'polling started');
      const deadline = Date.now() + 2000;
      while (readings.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.ok(readings.length >= 2, 'it polls the added interface');
      watcher.update([], 10);
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(watcher.polling, false, 'no timer once no interface is left');
      const count = readings.length;
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(readings.length, count, 'no readings either');
    } finally {
      watcher.stop();
    }
  });

  it('reports a missing interface as missing once, never as link down, and again when it appears', async () => {
    setState('eth0', 'up');
    const readings: NicReading[] = [];
    const missing: [string, boolean][] = [];
    const watcher = new NicWatcher({
      netClassDir: dir,
      interfaces: ['eth0', 'eth7'],
      intervalMs: 10,
      clock: Date.now,
      onReading: (r) => readings.push(r),
      onMissing: (iface, isMissing) => missing.push([iface, isMissing]),
      onError: (iface, err) => assert.fail(`${iface}: ${err.message}`),
    });
    try {
      watcher.start();
      await new Promise((r) => setTimeout(r, 60));
      assert.deepEqual(missing, [['eth7', true]], 'said once, not on every poll');
      assert.ok(!readings.some((r) => !r.up), 'no link down for a missing interface');
      setState('eth7', 'up');
      const deadline = Date.now() + 2000;
      while (!readings.some((r) => r.iface === 'eth7') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
    } finally {
      watcher.stop();
    }
    assert.deepEqual(missing, [
      ['eth7', true],
      ['eth7', false],
    ]);
    assert.ok(readings.some((r) => r.iface === 'eth7' && r.up));
  });
});

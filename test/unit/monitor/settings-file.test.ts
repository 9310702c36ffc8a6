import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParsedSettings } from '../../../src/monitor/config.js';
import { SettingsFile } from '../../../src/monitor/settings-file.js';

describe('settings file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'doctor-cfg-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const config = (interval: number): string =>
    JSON.stringify({ inspectorUrl: 'http://127.0.0.1:1/events', intervalMilliseconds: interval, hosts: [] });
  const replace = (path: string, text: string): void => {
    writeFileSync(`${path}.new`, text);
    renameSync(`${path}.new`, path); // how kubelet swaps ConfigMap content
  };

  it('loads the file, then applies a changed valid version and keeps the running one on an invalid one', async () => {
    const path = join(dir, 'monitor.json');
    writeFileSync(path, config(100));
    const changes: ParsedSettings[] = [];
    const errors: Error[] = [];
    const file = new SettingsFile({
      path,
      pollMs: 20,
      onChange: (p) => changes.push(p),
      onError: (e) => errors.push(e),
    });
    assert.equal(file.load().settings.intervalMilliseconds, 100);
    file.start();
    try {
      await new Promise((r) => setTimeout(r, 80));
      assert.equal(changes.length, 0, 'unchanged content is not re-applied');
      replace(path, config(50));
      const deadline = Date.now() + 2000;
      while (changes.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal(changes[0]?.settings.intervalMilliseconds, 50);
      replace(path, config(5));
      while (errors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.match(errors[0]?.message ?? '', /intervalMilliseconds must be an integer 10\.\.60000, got 5/);
      assert.equal(changes.length, 1);
    } finally {
      file.stop();
    }
  });

  it('names the file when it cannot be read at start', () => {
    const file = new SettingsFile({ path: join(dir, 'absent.json'), onChange: () => {}, onError: () => {} });
    assert.throws(() => file.load(), /cannot read configuration .*absent\.json/);
  });

  it('lets the environment override the inspector URL', () => {
    const path = join(dir, 'monitor.json');
    writeFileSync(path, JSON.stringify({ hosts: [] }));
    const file = new SettingsFile({
      path,
      inspectorUrlOverride: 'http://127.0.0.1:2/events',
      onChange: () => {},
      onError: () => {},
    });
    assert.equal(file.load().settings.inspectorUrl, 'http://127.0.0.1:2/events');
  });
});

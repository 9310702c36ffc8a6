// The monitor runs on every node, so what it loads is memory every node pays: these checks fail when an
// import brings back a module it had been kept free of (bench/monitor measures the memory itself).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// The DaemonSet runs `node <flags> cli.js monitor`: the graph starts at the `doctor` command.
const cli = fileURLToPath(new URL('../../../src/cli.js', import.meta.url));
const agent = fileURLToPath(new URL('../../../src/monitor/agent.js', import.meta.url));

interface Loaded {
  code: number;
  /** Node's internal modules and bindings (process.moduleLoadList). */
  internals: string[];
  /** Files loaded through require (CommonJS packages). */
  required: string[];
}

/**
 * Runs `doctor monitor` in a fresh process up to the point where it has loaded all it needs to run
 * (its imports are done before the configuration is read; a missing file then ends it).
 */
function monitorModules(): Loaded {
  const script = `
    const { main } = await import(${JSON.stringify(cli)});
    const code = await main(['monitor', '--config', '/nonexistent/monitor.json']);
    // The clock runs on every chunk of fping output once the monitor runs.
    const { epochClock } = await import(${JSON.stringify(agent)});
    epochClock();
    const internals = [...process.moduleLoadList];
    const required = Object.keys(process.getBuiltinModule('node:module').createRequire(import.meta.url).cache);
    process.stdout.write('\\n' + JSON.stringify({ code, internals, required }) + '\\n');
  `;
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...env, NODE_NAME: 'node-1' },
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(res.status, 0, res.stderr);
  // The monitor logs to stdout first; the result is the last line.
  return JSON.parse(res.stdout.trim().split('\n').at(-1)!) as Loaded;
}

describe('monitor module graph', () => {
  let loaded: Loaded;
  before(function () {
    this.timeout(30_000);
    loaded = monitorModules();
  });

  it('reached the point where the monitor reads its configuration', () => {
    // 1: the configuration file is missing, after every module the monitor runs with was loaded.
    assert.equal(loaded.code, 1);
    assert.ok(loaded.internals.includes('NativeModule _http_client'), 'the HTTP client is loaded');
    assert.ok(loaded.internals.includes('NativeModule child_process'), 'child_process is loaded');
  });

  it('does not load undici, TLS, HTTP/2, zlib or worker threads (what an ES import of node:http brings)', () => {
    for (const name of [
      'internal/deps/undici/undici',
      'tls',
      'internal/http2/core',
      'zlib',
      'worker_threads',
    ]) {
      assert.ok(!loaded.internals.includes(`NativeModule ${name}`), `${name} is loaded`);
    }
  });

  it('does not load node:fs/promises (readline with it) nor perf_hooks (the global performance)', () => {
    for (const name of ['fs/promises', 'internal/readline/interface', 'perf_hooks']) {
      assert.ok(!loaded.internals.includes(`NativeModule ${name}`), `${name} is loaded`);
    }
  });

  it('does not load node:crypto (OpenSSL start-up)', () => {
    assert.ok(!loaded.internals.includes('NativeModule crypto'));
    assert.ok(!loaded.internals.includes('Internal Binding crypto'));
  });

  it('does not load winston, nor the ping package it uses only while fping is down', () => {
    const packages = loaded.required.filter((file) => /node_modules\/(winston|ping|logform)\//.test(file));
    assert.deepEqual(packages, []);
  });
});

// The standalone simulator (used by the demo): starts, prints a clouds.yaml the client can use, stops on
// SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createOpenStackClients } from '../../../src/openstack/factory.js';

const main = fileURLToPath(new URL('../../../tools/nova-sim/main.js', import.meta.url));

describe('nova-sim CLI', function () {
  this.timeout(20_000);

  it('serves the seeded hosts, prints a working clouds.yaml and exits 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        main,
        '--hosts',
        'node-a,node-b',
        '--servers-per-host',
        '3',
        '--max-version',
        '2.52',
        '--print-clouds-yaml',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    try {
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      await new Promise<void>((resolve, reject) => {
        child.stderr.setEncoding('utf8').on('data', (c: string) => {
          stderr += c;
          if (stderr.includes('nova-sim listening on')) resolve();
        });
        child.once('exit', () => reject(new Error(`exited early: ${stderr}`)));
      });
      assert.match(stderr, /2 hosts, 6 servers/);
      const clients = await createOpenStackClients(stdout, 'openstack', { timeoutMs: 3000 });
      try {
        assert.equal((await clients.nova.listServersOnHost('node-b')).length, 3);
        assert.equal((await clients.nova.forceDown('node-a', 'cli test')).api, 'legacy');
      } finally {
        clients.close();
      }
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      clearTimeout(killer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses bad options with exit code 2', async () => {
    const child = spawn(process.execPath, [main, '--latency-ms', 'fast'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    clearTimeout(killer);
    assert.equal(code, 2);
    assert.match(stderr, /--latency-ms must be a non-negative integer, got "fast"/);
  });
});

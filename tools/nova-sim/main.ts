// Runs the Nova simulator standalone (demo, manual tests):
//   node dist/tools/nova-sim/main.js --port 8774 --hosts node-1,node-2 --servers-per-host 50 --print-clouds-yaml
// It serves until SIGTERM or SIGINT.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { start } from './index.js';
import { errorText } from '../../src/util/error-text.js';

const usage = `Usage: nova-sim [options]
  --port N                 listen port on 127.0.0.1 (default 0: any free port)
  --hosts LIST|N           compute hosts: comma-separated names, or a count (compute-0..N-1); default 2
  --servers-per-host N     servers seeded on each host (default 2)
  --latency-ms N           delay added to every call (default 0)
  --min-version V          lowest microversion (default 2.1)
  --max-version V          highest microversion (default 2.96; 2.52 simulates a pre-UUID cloud)
  --max-page-size N        Nova osapi_max_limit (default 1000)
  --fail-every N           answer every Nth Nova call with 503
  --token-ttl-seconds N    Keystone token lifetime (default 3600)
  --migration-ms N         how long a live or cold migration takes (default 200)
  --fail-migrations LIST   comma-separated server names or ids whose migrations fail
  --print-clouds-yaml      print a clouds.yaml for this simulator on stdout
  --clouds-yaml-file PATH  write that clouds.yaml to PATH
  --auth password|application-credential   auth kind in the printed clouds.yaml
  -h, --help
`;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`--${name} must be a non-negative integer, got "${value}"`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      hosts: { type: 'string' },
      'servers-per-host': { type: 'string' },
      'latency-ms': { type: 'string' },
      'min-version': { type: 'string' },
      'max-version': { type: 'string' },
      'max-page-size': { type: 'string' },
      'fail-every': { type: 'string' },
      'token-ttl-seconds': { type: 'string' },
      'migration-ms': { type: 'string' },
      'fail-migrations': { type: 'string' },
      'print-clouds-yaml': { type: 'boolean' },
      'clouds-yaml-file': { type: 'string' },
      auth: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    process.stdout.write(usage);
    return 0;
  }
  const hostsArg = values.hosts ?? '2';
  const hosts = /^\d+$/.test(hostsArg)
    ? Array.from({ length: Number(hostsArg) }, (_, i) => `compute-${i}`)
    : hostsArg
        .split(',')
        .map((h) => h.trim())
        .filter((h) => h !== '');
  const failEvery = positiveInt('fail-every', values['fail-every'], 0);
  const auth = values.auth ?? 'password';
  if (auth !== 'password' && auth !== 'application-credential') {
    throw new Error(`--auth must be password or application-credential, got "${auth}"`);
  }
  // Listen for signals before anything is printed, so a SIGTERM right after start-up still stops cleanly.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  const sim = await start({
    port: positiveInt('port', values.port, 0),
    hosts,
    serversPerHost: positiveInt('servers-per-host', values['servers-per-host'], 2),
    latencyMs: positiveInt('latency-ms', values['latency-ms'], 0),
    maxPageSize: positiveInt('max-page-size', values['max-page-size'], 1000),
    tokenTtlMs: positiveInt('token-ttl-seconds', values['token-ttl-seconds'], 3600) * 1000,
    migrationMs: positiveInt('migration-ms', values['migration-ms'], 200),
    failMigrations: (values['fail-migrations'] ?? '').split(',').filter((name) => name !== ''),
    ...(values['min-version'] !== undefined ? { minVersion: values['min-version'] } : {}),
    ...(values['max-version'] !== undefined ? { maxVersion: values['max-version'] } : {}),
    ...(failEvery > 0 ? { failures: { everyNth: failEvery } } : {}),
  });
  const cloudsYaml = sim.cloudsYaml({ auth });
  if (values['clouds-yaml-file'] !== undefined)
    writeFileSync(values['clouds-yaml-file'], cloudsYaml, { mode: 0o600 });
  if (values['print-clouds-yaml'] === true) process.stdout.write(cloudsYaml);
  process.stderr.write(
    `nova-sim listening on ${sim.url} (Keystone ${sim.authUrl}); ${hosts.length} hosts, ${sim.state.servers.size} servers\n`,
  );
  await stopped;
  await sim.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`nova-sim: ${errorText(err)}\n`);
    process.exitCode = 2;
  },
);

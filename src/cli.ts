#!/usr/bin/env node
// Entry point of the `doctor` command. Each subcommand lives in its own module; this file only
// routes arguments and turns failures into a message and an exit code.
import { version } from './util/version.js';
import { errorText } from './util/error-text.js';

// Builtins via process.getBuiltinModule, not `import`: an ES import of node:fs loads some 37 more internal
// modules (its namespace reads every lazy export), memory that `doctor monitor` pays on every node.
const { realpathSync } = process.getBuiltinModule('node:fs');
const { fileURLToPath } = process.getBuiltinModule('node:url');

export interface Subcommand {
  name: string;
  summary: string;
  /** Runs the subcommand; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

/** Loads a subcommand's module only when it runs, so `doctor --help` stays instant. */
function lazy(
  name: string,
  summary: string,
  load: () => Promise<(args: string[]) => Promise<number>>,
): Subcommand {
  return { name, summary, run: async (args) => (await load())(args) };
}

export const subcommands: Subcommand[] = [
  lazy(
    'operator',
    'run the operator: policy reconciler, inspector (/events), Nova remediation and notifications',
    async () => (await import('./operator/command.js')).runOperatorCommand,
  ),
  lazy(
    'monitor',
    'run the per-node monitor that probes its ring peers and reports to the inspector; or its liveness check',
    async () => (await import('./monitor/command.js')).runMonitorCommand,
  ),
  lazy(
    'consumer',
    'run the sample consumer that receives, verifies and records fault notifications on /failure',
    async () => (await import('./consumer/command.js')).runConsumerCommand,
  ),
  lazy(
    'check-cloud',
    'check the OpenStack credentials: Keystone, catalog, microversions, services, Nova policy',
    async () => (await import('./openstack/check-cloud-command.js')).runCheckCloudCommand,
  ),
];

export function usage(): string {
  const width = Math.max(...subcommands.map((c) => c.name.length));
  const lines = subcommands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: doctor <command> [options]',
    '',
    'Fault management for OpenStack compute hosts running on Kubernetes (OPNFV Doctor).',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  -h, --help     show this help',
    '  -v, --version  print the version',
    '',
    "Run 'doctor <command> --help' for a command's options.",
    'Exit codes: 0 done, 1 failed while running, 2 bad command line (the message says which flag).',
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    process.stderr.write(`doctor: no command given.\n\n${usage()}`);
    return 2;
  }
  if (first === '-h' || first === '--help' || first === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  if (first === '-v' || first === '--version') {
    process.stdout.write(`doctor-operator ${version}\n`);
    return 0;
  }
  const command = subcommands.find((c) => c.name === first);
  if (!command) {
    process.stderr.write(`doctor: unknown command '${first}'.\n\n${usage()}`);
    return 2;
  }
  return command.run(rest);
}

function isEntryPoint(): boolean {
  const invoked = process.argv[1];
  if (invoked === undefined) return false;
  try {
    // npm installs `doctor` as a symlink, so compare real paths.
    return realpathSync(invoked) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

// Run only when executed, not when imported by tests.
if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`doctor: ${errorText(err)}\n`);
      process.exitCode = 1;
    },
  );
}

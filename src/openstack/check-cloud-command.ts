// `doctor check-cloud`: checks that the credentials the operator will use can do what remediation
// needs, prints one line per check in plain words, and exits 1 when any check fails (the chart's
// `helm test` hook runs it).
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { errorText } from '../util/error-text.js';
import { type CheckResult, checkCloud } from './cloud-checks.js';
import { createOpenStackClients } from './factory.js';
import { osEnvCloudName, osEnvToCloudsYaml } from './os-env.js';

export const checkCloudUsage = `Usage: doctor check-cloud [options]

Checks the OpenStack credentials the operator uses: Keystone authentication, the compute endpoint in
the catalog, the microversion range, the nova-compute services, and the Nova policy rules remediation
needs (force a service down, list servers of all projects, reset server state). Changes nothing.
Prints one line per check and exits 1 when any check fails.

Credentials (one of):
  --clouds-file PATH     a clouds.yaml file
  --cloud NAME           its entry (default openstack)
  OS_* environment       otherwise: OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME, ...
                         (openstack-helm's credentials Secret as environment variables)

Options:
  --timeout-seconds N    per call (default 10)
  -h, --help             show this help
`;

interface Options {
  cloudsFile?: string;
  cloud: string;
  timeoutMs: number;
}

function parseOptions(args: string[]): Options | 'help' {
  const { values } = parseArgs({
    args,
    options: {
      'clouds-file': { type: 'string' },
      cloud: { type: 'string' },
      'timeout-seconds': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
  });
  if (values.help === true) return 'help';
  const timeout = Number(values['timeout-seconds'] ?? '10');
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 300)
    throw new Error('--timeout-seconds must be an integer from 1 to 300');
  return {
    ...(values['clouds-file'] !== undefined ? { cloudsFile: values['clouds-file'] } : {}),
    cloud: values.cloud ?? 'openstack',
    timeoutMs: timeout * 1000,
  };
}

async function credentials(
  options: Options,
  env: NodeJS.ProcessEnv,
): Promise<{ text: string; cloud: string }> {
  if (options.cloudsFile !== undefined) {
    try {
      return { text: await readFile(options.cloudsFile, 'utf8'), cloud: options.cloud };
    } catch (err) {
      throw new Error(
        `cannot read ${options.cloudsFile} (${(err as NodeJS.ErrnoException).code ?? errorText(err)})`,
        {
          cause: err,
        },
      );
    }
  }
  const osEnv = Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[0].startsWith('OS_') && entry[1] !== undefined,
    ),
  );
  if (Object.keys(osEnv).length === 0)
    throw new Error(
      'no credentials: pass --clouds-file, or set the OS_* variables (OS_AUTH_URL, OS_USERNAME, ...)',
    );
  return { text: osEnvToCloudsYaml(osEnv), cloud: osEnvCloudName };
}

const labels: Record<CheckResult['level'], string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

export function formatResults(results: CheckResult[]): string {
  return results.map((r) => `${labels[r.level]}  ${r.name}: ${r.message}\n`).join('');
}

export async function runCheckCloudCommand(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  out: (text: string) => void = (text) => process.stdout.write(text),
  err: (text: string) => void = (text) => process.stderr.write(text),
): Promise<number> {
  let options: Options | 'help';
  try {
    options = parseOptions(args);
  } catch (error) {
    err(`doctor check-cloud: ${errorText(error)}\n\n${checkCloudUsage}`);
    return 2;
  }
  if (options === 'help') {
    out(checkCloudUsage);
    return 0;
  }
  let clients;
  try {
    const { text, cloud } = await credentials(options, env);
    // Few tries: a check should answer within a minute, not wait out a long outage.
    clients = await createOpenStackClients(text, cloud, {
      timeoutMs: options.timeoutMs,
      retry: {
        maxAttempts: 3,
        baseDelayMs: 200,
        maxDelayMs: 2000,
        deadlineMs: 30_000,
        maxRetryAfterMs: 5000,
      },
    });
  } catch (err) {
    out(formatResults([{ name: 'credentials', level: 'fail', message: errorText(err) }]));
    return 1;
  }
  try {
    const results = await checkCloud(clients);
    out(formatResults(results));
    const failed = results.filter((r) => r.level === 'fail').length;
    out(failed === 0 ? 'the cloud is ready for doctor-operator\n' : `${failed} check(s) failed\n`);
    return failed === 0 ? 0 : 1;
  } finally {
    clients.close();
  }
}

// `doctor monitor`: the per-node agent the DaemonSet runs. Reads its configuration (file + environment),
// checks that fping works, runs until SIGTERM/SIGINT, then stops its probes and flushes pending reports.
// `--check-alive` is the kubelet's liveness probe: it loads nothing else, so it costs a bare Node start.
import type { LevelLogger } from '../observability/json-lines-logger.js';
import { resolveLogLevel, type LogLevel } from '../observability/log-level.js';
import { version } from '../util/version.js';
import type { MonitorEnvironment, ParsedSettings } from './config.js';
import { checkAlive, startAliveFile } from './alive-file.js';

// A builtin comes from process.getBuiltinModule, not `import`, to keep the monitor small (http-post.ts says why).
const { parseArgs } = process.getBuiltinModule('node:util');

export const monitorUsage = `Usage: doctor monitor [--config PATH] [--alive-file PATH] [--log-level LEVEL]
       doctor monitor --check-alive PATH

Runs the per-node monitor: probes its ring peers with fping (ICMP), watches the NICs the policy names,
reports failures and heartbeats to the inspector (POST /events, Doctor's event format), and re-reads its
configuration when the operator changes it. Runs until SIGTERM or SIGINT, then delivers what is pending.

Options:
  -c, --config PATH     JSON configuration written by the operator (env DOCTOR_MONITOR_CONFIG);
                        re-read when its content changes
  --alive-file PATH     write the time to PATH every 5 s while running (for the liveness probe)
  --check-alive PATH    exit 0 if PATH was written in the last 30 s, else print why and exit 1
  --log-level LEVEL     debug, info, warn or error (default: $DOCTOR_LOG_LEVEL or info)
  -h, --help            show this help

Environment:
  NODE_NAME              this node's name (required; downward API spec.nodeName)
  DOCTOR_MONITOR_CONFIG  configuration file, when --config is not given
  DOCTOR_INSPECTOR_URL   overrides inspectorUrl from the file
  DOCTOR_TOKEN_FILE      bearer token file (default /var/run/secrets/doctor/token), re-read per request
  DOCTOR_NET_CLASS_DIR   where NIC operstate files live (default /sys/class/net)
  DOCTOR_LOG_LEVEL       log level when --log-level is not given (default info)
`;

function waitForSignal(logger: LevelLogger): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      logger.info('signal received; stopping', { signal });
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

export async function runMonitorCommand(args: string[]): Promise<number> {
  let configFlag: string | undefined;
  let aliveFile: string | undefined;
  let level: LogLevel;
  try {
    const { values } = parseArgs({
      args,
      options: {
        config: { type: 'string', short: 'c' },
        'alive-file': { type: 'string' },
        'check-alive': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      process.stdout.write(monitorUsage);
      return 0;
    }
    const check = values['check-alive'];
    if (check !== undefined) {
      const problem = checkAlive(check);
      if (problem) process.stderr.write(`doctor monitor: not alive: ${problem}\n`);
      return problem ? 1 : 0;
    }
    configFlag = values.config;
    aliveFile = values['alive-file'];
    level = resolveLogLevel(values['log-level']);
  } catch (err) {
    process.stderr.write(`doctor monitor: ${(err as Error).message}\n\n${monitorUsage}`);
    return 2;
  }
  return runMonitor(configFlag, aliveFile, level);
}

async function runMonitor(
  configFlag: string | undefined,
  aliveFilePath: string | undefined,
  level: LogLevel,
): Promise<number> {
  const [
    { createJsonLinesLogger },
    { MonitorAgent },
    { ConfigError, parseEnvironment },
    { checkFping },
    { SettingsFile },
  ] = await Promise.all([
    import('../observability/json-lines-logger.js'),
    import('./agent.js'),
    import('./config.js'),
    import('./fping-check.js'),
    import('./settings-file.js'),
  ]);
  let env: MonitorEnvironment;
  let parsed: ParsedSettings;
  let file: InstanceType<typeof SettingsFile>;
  const logger = createJsonLinesLogger('monitor', level);
  logger.info(`doctor-operator ${version} monitor starting`, { version, pid: process.pid });
  let lastReloadError = '';
  try {
    env = parseEnvironment(process.env, configFlag);
    if (env.configPath === undefined) {
      throw new ConfigError('--config (or DOCTOR_MONITOR_CONFIG) must name the configuration file');
    }
    file = new SettingsFile({
      path: env.configPath,
      ...(env.inspectorUrl !== undefined ? { inspectorUrlOverride: env.inspectorUrl } : {}),
      onChange: (next) => {
        lastReloadError = '';
        for (const warning of next.warnings) logger.warn(warning);
        agent.applySettings(next.settings);
      },
      onError: (err) => {
        // Logged once per distinct problem: the file is polled every second.
        if (err.message === lastReloadError) return;
        lastReloadError = err.message;
        logger.error('new configuration rejected; keeping the running one', { error: err.message });
      },
    });
    parsed = file.load();
  } catch (err) {
    process.stderr.write(`doctor monitor: invalid configuration: ${(err as Error).message}\n`);
    return 1;
  }
  for (const warning of parsed.warnings) logger.warn(warning);

  const probeProblem = await checkFping();
  if (probeProblem) {
    process.stderr.write(`doctor monitor: ${probeProblem}\n`);
    return 1;
  }

  let alive: ReturnType<typeof startAliveFile> | undefined;
  if (aliveFilePath !== undefined) {
    try {
      alive = startAliveFile(aliveFilePath, (err) =>
        logger.warn('cannot refresh the liveness file', { path: aliveFilePath, error: err.message }),
      );
    } catch (err) {
      process.stderr.write(`doctor monitor: --alive-file ${aliveFilePath}: ${(err as Error).message}\n`);
      return 1;
    }
  }
  const agent = new MonitorAgent({ env, settings: parsed.settings, logger });
  const signal = waitForSignal(logger);
  agent.start();
  file.start();
  await signal;
  alive?.stop();
  file.stop();
  await agent.stop();
  return 0;
}

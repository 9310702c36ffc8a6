// `doctor monitor`: the per-node agent the DaemonSet runs. Reads its configuration (file + environment),
// checks that fping works, runs until SIGTERM/SIGINT, then stops its probes and flushes pending reports.
import { parseArgs } from 'node:util';
import { createLogger, type Logger } from '../observability/logger.js';
import { MonitorAgent } from './agent.js';
import { ConfigError, parseEnvironment, type MonitorEnvironment, type ParsedSettings } from './config.js';
import { checkFping } from './fping-check.js';
import { SettingsFile } from './settings-file.js';

export const monitorUsage = `Usage: doctor monitor [--config PATH]

Runs the per-node monitor: probes its assigned peers with ICMP, watches its own NICs, and reports
host failures to the inspector (POST, Doctor event format).

Options:
  -c, --config PATH  JSON configuration written by the operator (env DOCTOR_MONITOR_CONFIG);
                     re-read when its content changes
  -h, --help         show this help

Environment:
  NODE_NAME              this node's name (required; downward API spec.nodeName)
  DOCTOR_MONITOR_CONFIG  configuration file, when --config is not given
  DOCTOR_INSPECTOR_URL   overrides inspectorUrl from the file
  DOCTOR_TOKEN_FILE      bearer token file (default /var/run/secrets/doctor/token), re-read per request
  DOCTOR_NET_CLASS_DIR   where NIC operstate files live (default /sys/class/net)
  DOCTOR_LOG_LEVEL       winston log level (default info)
`;

function waitForSignal(logger: Logger): Promise<string> {
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
  try {
    const { values } = parseArgs({
      args,
      options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      process.stdout.write(monitorUsage);
      return 0;
    }
    configFlag = values.config;
  } catch (err) {
    process.stderr.write(`doctor monitor: ${(err as Error).message}\n\n${monitorUsage}`);
    return 2;
  }

  let env: MonitorEnvironment;
  let parsed: ParsedSettings;
  let file: SettingsFile;
  const logger = createLogger('monitor');
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

  const agent = new MonitorAgent({ env, settings: parsed.settings, logger });
  const signal = waitForSignal(logger);
  agent.start();
  file.start();
  await signal;
  file.stop();
  await agent.stop();
  return 0;
}

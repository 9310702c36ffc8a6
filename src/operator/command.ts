// `doctor operator`: flags, Kubernetes configuration (--kubeconfig or in-cluster), signals.
import * as k8s from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../observability/logger.js';
import { resolveLogLevel, type LogLevel } from '../observability/log-level.js';
import { parseListeners } from './listen-flags.js';
import { parseMonitorPodOptions } from './monitor-flags.js';
import { inspectorLimitDefaults, type InspectorLimits } from '../intake/limits.js';
import { version } from '../util/version.js';
import { reuseConnections } from '../runtime/kube-connections.js';
import { MemoryTrimmer } from '../runtime/memory-trim.js';
import { applyOperatorV8Flags } from './node-options.js';
import { Operator, type OperatorOptions } from './operator.js';
import { errorText } from '../util/error-text.js';

const help = `Usage: doctor operator [options]

Runs the doctor-operator. The policy reconciler watches FaultPolicy, Node and HostHealth objects and runs
one monitor DaemonSet per policy and one HostHealth per monitored node. The inspector takes the monitors'
reports on /events, correlates them per policy (quorum, window, storm guard, maintenance) and records each
host's state in its HostHealth. Remediation then forces the host's nova-compute service down, resets its
servers to error, taints the Node and notifies the policy's consumers by webhook, and undoes the
force-down when the host recovers. With two replicas, a Lease elects the one that acts; reports are
routed to it by a Pod label.

Addresses are HOST:PORT, [IPV6]:PORT or :PORT (every interface: :: where IPv6 is available, else
0.0.0.0); port 0 picks a free one.

Options:
  --kubeconfig PATH                   kubeconfig file (default: in-cluster configuration, else $KUBECONFIG
                                      or ~/.kube/config)
  --namespace NS                      namespace of the operator, its Lease, monitor DaemonSets and Secrets
                                      (default: $POD_NAMESPACE or doctor-system)
  --health-probe-bind-address ADDR    /healthz and /readyz (default: :8081)
  --metrics-bind-address ADDR         /metrics; 0 turns it off (default: :8081, the probes' listener)
  --inspector-bind-address ADDR       the inspector's /events, where monitors report (default: :12345)
  --leader-elect[=BOOL]               elect one acting replica through a Lease (default: true;
                                      --leader-elect=false: this process acts alone)
  --lease-name NAME                   name of the Lease (default: doctor-operator-leader)
  --lease-duration SECONDS            how long a lease lasts without renewal (default: 15)
  --renew-deadline SECONDS            how long the leader retries renewing before it steps down (default: 10)
  --retry-period SECONDS              how often leases are renewed or tried (default: 2)
  --identity NAME                     this replica's name in the Lease (default: $POD_NAME or hostname-pid)
  --pod-name NAME                     this replica's Pod in --namespace: the leader labels it
                                      doctor.io/inspector-leader=true so the inspector Service routes
                                      reports to it (default: $POD_NAME; unset: no label)
  --shutdown-seconds SECONDS          on SIGTERM, stop acting, release the lease and exit within this time
                                      (default: 2)
  --log-level LEVEL                   debug, info, warn or error (default: $DOCTOR_LOG_LEVEL or info)

Monitors (the DaemonSet and ConfigMap the operator creates per FaultPolicy):
  --monitor-image IMAGE               image (default: $DOCTOR_MONITOR_IMAGE or doctor-operator:${version})
  --monitor-image-pull-policy POLICY  Always, IfNotPresent or Never (default: IfNotPresent)
  --monitor-image-pull-secrets LIST   comma-separated Secrets in --namespace to pull the image with
  --monitor-service-account SA        ServiceAccount of the monitors (default: doctor-monitor)
  --monitor-name-prefix PREFIX        the objects are named PREFIX-<policy> (default: doctor-monitor)
  --monitor-priority-class NAME       priorityClassName of the monitor Pods (default: none)
  --monitor-resources JSON            requests and limits, e.g. '{"requests":{"cpu":"25m","memory":"64Mi"},
                                      "limits":{"memory":"128Mi"}}' (default: that)
  --inspector-url URL                 where monitors post reports
                                      (default: http://doctor-operator-inspector.<namespace>.svc:12345/events)

Inspector:
  --inspector-auth MODES              how reporters authenticate, comma-separated: tokenreview (monitors'
                                      projected tokens), static (a shared token), or none (no
                                      authentication: only for tests and trusted networks) (default:
                                      tokenreview, plus static when --inspector-token-secret is set)
  --inspector-token-secret NAME       Secret in the operator namespace holding external monitors' tokens:
                                      each key names an observer, its value is that observer's token
  --inspector-max-clock-skew SECONDS  refuse event times further ahead of this clock (default: 300)
  --inspector-max-events N            events per request (default: 500)
  --inspector-max-body-bytes N        request body size (default: 262144)
  --inspector-rate N                  requests per second per reporter, burst twice that (default: 50)

Reconciling:
  --workers N                         parallel reconciles (default: 4)
  --resync SECONDS                    re-check every policy this often even without changes (default: 300)

Maintenance:
  --maintenance-reply-url URL         where consumers answer maintenance notifications (default: the
                                      origin of --inspector-url; answers go to
                                      URL/maintenance/v1/SESSION/CONSUMER)
  --maintenance-poll-ms N             between two looks at a migration in Nova (default: 500)

  -h, --help                          show this help

Deprecated (still accepted, with a warning): --health-port PORT and --health-host HOST (probes and
metrics), --inspector-port PORT and --inspector-host HOST, --leader-elect BOOL as two arguments.
`;

function positiveInt(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`--${name} must be an integer >= ${min}, got '${raw}'`);
  return value;
}

const authModes = ['tokenreview', 'static', 'none'] as const;
type AuthMode = (typeof authModes)[number];

function parseAuthModes(raw: string | undefined, tokenSecret: string | undefined): AuthMode[] {
  if (raw === undefined) return tokenSecret ? ['tokenreview', 'static'] : ['tokenreview'];
  const modes = raw.split(',').map((m) => m.trim());
  for (const mode of modes) {
    if (!(authModes as readonly string[]).includes(mode)) {
      throw new Error(`--inspector-auth: unknown mode '${mode}' (use tokenreview, static or none)`);
    }
  }
  if (modes.includes('none') && modes.length > 1)
    throw new Error('--inspector-auth none cannot be combined with other modes');
  if (modes.includes('static') && !tokenSecret)
    throw new Error('--inspector-auth static needs --inspector-token-secret NAME');
  return modes as AuthMode[];
}

function inspectorLimits(values: Record<string, string | boolean | undefined>): Partial<InspectorLimits> {
  const raw = (name: string) => values[name] as string | undefined;
  const d = inspectorLimitDefaults;
  const rate = positiveInt('inspector-rate', raw('inspector-rate'), d.requestsPerSecond);
  return {
    maxFutureSkewMs:
      positiveInt('inspector-max-clock-skew', raw('inspector-max-clock-skew'), d.maxFutureSkewMs / 1000, 0) *
      1000,
    maxEvents: positiveInt('inspector-max-events', raw('inspector-max-events'), d.maxEvents),
    maxBodyBytes: positiveInt('inspector-max-body-bytes', raw('inspector-max-body-bytes'), d.maxBodyBytes),
    requestsPerSecond: rate,
    requestBurst: 2 * rate,
  };
}

export interface ParsedOperatorArgs {
  options: OperatorOptions;
  kubeconfig?: string;
  logLevel: LogLevel;
  /** Deprecated flags that were used: logged once the logger exists. */
  warnings: string[];
}

/** `--leader-elect` is a bare switch (`--leader-elect=false` turns it off); the older two-argument form
 * `--leader-elect false` still works, with a warning. node:util's parseArgs knows neither, so it is
 * taken out of the arguments first. */
export function takeLeaderElect(
  args: string[],
  warnings: string[],
): { rest: string[]; leaderElect?: boolean } {
  const rest: string[] = [];
  let leaderElect: boolean | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      rest.push(...args.slice(i));
      break;
    }
    if (arg === '--leader-elect') {
      const next = args[i + 1];
      if (next === 'true' || next === 'false') {
        warnings.push(`--leader-elect ${next} is deprecated: use --leader-elect=${next}`);
        leaderElect = next === 'true';
        i++;
      } else leaderElect = true;
    } else if (arg.startsWith('--leader-elect=')) {
      const value = arg.slice('--leader-elect='.length);
      if (value !== 'true' && value !== 'false')
        throw new Error(`--leader-elect must be true or false, got '${value}'`);
      leaderElect = value === 'true';
    } else rest.push(arg);
  }
  return leaderElect === undefined ? { rest } : { rest, leaderElect };
}

export function parseOperatorArgs(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): ParsedOperatorArgs | 'help' {
  const warnings: string[] = [];
  const { rest, leaderElect } = takeLeaderElect(args, warnings);
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      kubeconfig: { type: 'string' },
      namespace: { type: 'string' },
      'monitor-image': { type: 'string' },
      'monitor-image-pull-policy': { type: 'string' },
      'monitor-image-pull-secrets': { type: 'string' },
      'monitor-service-account': { type: 'string' },
      'monitor-name-prefix': { type: 'string' },
      'monitor-priority-class': { type: 'string' },
      'monitor-resources': { type: 'string' },
      'inspector-url': { type: 'string' },
      'health-probe-bind-address': { type: 'string' },
      'metrics-bind-address': { type: 'string' },
      'inspector-bind-address': { type: 'string' },
      'health-port': { type: 'string' },
      'health-host': { type: 'string' },
      'inspector-port': { type: 'string' },
      'inspector-host': { type: 'string' },
      'lease-name': { type: 'string' },
      'lease-duration': { type: 'string' },
      'renew-deadline': { type: 'string' },
      'retry-period': { type: 'string' },
      identity: { type: 'string' },
      'pod-name': { type: 'string' },
      'shutdown-seconds': { type: 'string' },
      'log-level': { type: 'string' },
      workers: { type: 'string' },
      'inspector-auth': { type: 'string' },
      'inspector-token-secret': { type: 'string' },
      'inspector-max-clock-skew': { type: 'string' },
      'inspector-max-events': { type: 'string' },
      'inspector-max-body-bytes': { type: 'string' },
      'inspector-rate': { type: 'string' },
      resync: { type: 'string' },
      'maintenance-reply-url': { type: 'string' },
      'maintenance-poll-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const logLevel = resolveLogLevel(values['log-level'], env);
  const listeners = parseListeners(values, warnings);
  const namespace = values.namespace ?? env.POD_NAMESPACE ?? 'doctor-system';
  const inspectorUrl =
    values['inspector-url'] ?? `http://doctor-operator-inspector.${namespace}.svc:12345/events`;
  try {
    new URL(inspectorUrl);
  } catch {
    throw new Error(`--inspector-url must be an absolute URL, got '${inspectorUrl}'`);
  }
  const options: OperatorOptions = {
    namespace,
    identity: values.identity ?? env.POD_NAME ?? `${hostname()}-${process.pid}`,
    inspectorUrl,
    monitorImage: values['monitor-image'] ?? env.DOCTOR_MONITOR_IMAGE ?? `doctor-operator:${version}`,
    monitorServiceAccount: values['monitor-service-account'] ?? 'doctor-monitor',
    monitor: parseMonitorPodOptions(values),
    healthPort: listeners.probes.port,
    ...(listeners.probes.host !== undefined ? { healthHost: listeners.probes.host } : {}),
    ...(listeners.metrics !== undefined ? { metrics: listeners.metrics } : {}),
    leaderElection: leaderElect ?? true,
    leaseName: values['lease-name'] ?? 'doctor-operator-leader',
    leaseDurationSeconds: positiveInt('lease-duration', values['lease-duration'], 15),
    renewDeadlineSeconds: positiveInt('renew-deadline', values['renew-deadline'], 10),
    retryPeriodSeconds: positiveInt('retry-period', values['retry-period'], 2),
    workers: positiveInt('workers', values.workers, 4),
    resyncSeconds: positiveInt('resync', values.resync, 300),
    inspectorPort: listeners.inspector.port,
    ...(listeners.inspector.host !== undefined ? { inspectorHost: listeners.inspector.host } : {}),
    inspectorAuth: parseAuthModes(values['inspector-auth'], values['inspector-token-secret']),
    ...(values['inspector-token-secret'] ? { inspectorTokenSecret: values['inspector-token-secret'] } : {}),
    ...((values['pod-name'] ?? env.POD_NAME) ? { podName: values['pod-name'] ?? env.POD_NAME } : {}),
    shutdownSeconds: positiveInt('shutdown-seconds', values['shutdown-seconds'], 2),
    inspectorLimits: inspectorLimits(values),
    ...(values['maintenance-reply-url'] !== undefined
      ? { maintenanceReplyUrl: values['maintenance-reply-url'].replace(/\/+$/, '') }
      : {}),
    ...(values['maintenance-poll-ms'] !== undefined
      ? { maintenancePollMs: positiveInt('maintenance-poll-ms', values['maintenance-poll-ms'], 500, 10) }
      : {}),
  };
  if (options.renewDeadlineSeconds >= options.leaseDurationSeconds) {
    throw new Error(
      '--renew-deadline must be shorter than --lease-duration, or two replicas could both lead',
    );
  }
  if (options.retryPeriodSeconds >= options.renewDeadlineSeconds) {
    throw new Error('--retry-period must be shorter than --renew-deadline');
  }
  return { options, ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}), logLevel, warnings };
}

export function loadKubeConfig(
  path: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): k8s.KubeConfig {
  const config = new k8s.KubeConfig();
  const defaultFile = join(homedir(), '.kube', 'config');
  if (path) {
    if (!existsSync(path)) throw new Error(`--kubeconfig ${path}: no such file`);
    config.loadFromFile(path);
  } else if (env.KUBERNETES_SERVICE_HOST) {
    config.loadFromCluster();
  } else if (env.KUBECONFIG || existsSync(defaultFile)) {
    config.loadFromDefault();
  } else {
    // client-node would silently fall back to http://localhost:8080; say what is missing instead.
    throw new Error(
      'no Kubernetes configuration found: pass --kubeconfig PATH, set KUBECONFIG, or run in a cluster',
    );
  }
  if (!config.getCurrentCluster()) {
    throw new Error('the Kubernetes configuration names no current cluster (check its current-context)');
  }
  return reuseConnections(config);
}

export async function runOperatorCommand(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseOperatorArgs>;
  try {
    parsed = parseOperatorArgs(args);
  } catch (err) {
    process.stderr.write(`doctor operator: ${errorText(err)}\nRun 'doctor operator --help'.\n`);
    return 2;
  }
  if (parsed === 'help') {
    process.stdout.write(help);
    return 0;
  }
  // Before the caches load: the heap's growth is bounded from the first collection on.
  applyOperatorV8Flags();
  const log = createLogger('operator', parsed.logLevel);
  // The first line says what runs: the version, before anything can fail.
  log.info(`doctor-operator ${version} starting`, { version, pid: process.pid, node: process.version });
  for (const warning of parsed.warnings) log.warn(warning);
  let config: k8s.KubeConfig;
  try {
    config = loadKubeConfig(parsed.kubeconfig);
  } catch (err) {
    process.stderr.write(`doctor operator: ${errorText(err)}\n`);
    return 2;
  }
  // An informer or HTTP library bug must not take the whole operator down with an unhandled rejection.
  process.on('unhandledRejection', (reason) => {
    log.error('unhandled promise rejection', {
      error: errorText(reason),
    });
  });
  const operator = new Operator(config, parsed.options, log);
  // Listen for signals before starting: a SIGTERM while the caches sync must still stop cleanly.
  const stopSignal = new Promise<string>((resolveSignal) => {
    process.once('SIGTERM', resolveSignal);
    process.once('SIGINT', resolveSignal);
  });
  const trimmer = new MemoryTrimmer({
    quiet: () => operator.quiet(),
    onTrim: (before, after, pauseMs) =>
      log.info('memory given back after a burst', {
        rssMb: Math.round(before.rss / 2 ** 20),
        nowMb: Math.round(after.rss / 2 ** 20),
        pauseMs: Math.round(pauseMs),
      }),
  });
  const first = await Promise.race([operator.start().then(() => undefined), stopSignal]);
  if (first === undefined) trimmer.start();
  const signal = first ?? (await stopSignal);
  log.info('shutting down', { signal, ...(first === undefined ? {} : { whileStarting: true }) });
  // Every step of stop() is bounded within the shutdown time; this is the backstop if one is not.
  const limitMs = (parsed.options.shutdownSeconds ?? 2) * 1000 + 500;
  const forceExit = setTimeout(() => {
    log.error(`shutdown took longer than ${limitMs} ms; exiting`);
    process.exit(1);
  }, limitMs);
  forceExit.unref();
  const stoppingAt = Date.now();
  trimmer.stop();
  await operator.stop();
  log.info('shutdown complete', { tookMs: Date.now() - stoppingAt });
  // A request stuck on a dead connection (no answer, no reset) would keep the process alive: once
  // everything is stopped, nothing left is worth waiting for.
  setTimeout(() => process.exit(0), 200).unref();
  return 0;
}

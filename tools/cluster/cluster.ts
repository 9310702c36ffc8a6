// Starts a real local control plane: etcd -> kube-apiserver -> kube-controller-manager -> kube-scheduler
// -> kwok, each on a free 127.0.0.1 port, waiting for each to be ready before the next. Everything a run
// writes (certificates, etcd data, logs, kubeconfig, pids) stays in its run folder.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateClusterCerts, type ClusterCerts } from './certs.js';
import {
  apiServerArgs,
  controllerManagerArgs,
  etcdArgs,
  firstServiceIp,
  kwokArgs,
  schedulerArgs,
  type Ports,
} from './components.js';
import { runCommand, type CommandResult } from './exec.js';
import { httpGet, type ProbeTls } from './health.js';
import { writeKubeconfig } from './kubeconfig.js';
import { binaryPath, clusterDir, type ComponentBinary } from './paths.js';
import { freePort } from './ports.js';
import { releaseComponents, startComponent, tailOfLog, type ComponentProcess } from './process.js';
import { writePidFile } from './run-registry.js';
import { waitFor } from './wait.js';
import { errorText } from '../../src/util/error-text.js';

export interface ClusterOptions {
  /** Folder for this run; default .cache/cluster/runs/<timestamp>-<pid>. */
  runDir?: string;
  /** Leave the processes running after this Node process exits (make cluster-up). */
  detached?: boolean;
  /** Progress lines for a person watching; default: stderr. */
  log?: (line: string) => void;
  readyTimeoutMs?: number;
  /** More kube-controller-manager controllers (e.g. node-lifecycle-controller for the baseline bench). */
  extraControllers?: string[];
}

export interface Cluster {
  runDir: string;
  kubeconfigPath: string;
  server: string;
  certs: ClusterCerts;
  components: ComponentProcess[];
  kubectl(args: string[], input?: string): Promise<CommandResult>;
  /** Stops one component (e.g. "kube-apiserver") as an outage would, leaving the others running. */
  stopComponent(name: string): Promise<void>;
  /** Starts a stopped component again with the same arguments and waits until it is ready. */
  startComponent(name: string): Promise<void>;
  stop(): Promise<void>;
}

const componentCount = 5;

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const runDir =
    options.runDir ??
    join(clusterDir, 'runs', `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  const certDir = join(runDir, 'certs');
  const logDir = join(runDir, 'logs');
  for (const dir of [certDir, logDir, join(runDir, 'etcd')]) mkdirSync(dir, { recursive: true });

  const binaries = Object.fromEntries(
    (
      [
        'etcd',
        'kube-apiserver',
        'kube-controller-manager',
        'kube-scheduler',
        'kubectl',
        'kwok',
      ] as ComponentBinary[]
    ).map((b) => [b, binaryPath(b)]),
  ) as Record<ComponentBinary, string>;

  const started = Date.now();
  const components: ComponentProcess[] = [];
  const stop = async () => {
    for (const component of [...components].reverse()) await component.stop();
    components.length = 0;
  };

  try {
    log(`control-plane: generating certificates in ${certDir}`);
    const certs = await generateClusterCerts(certDir, firstServiceIp);
    const ports: Ports = {
      etcdClient: await freePort(),
      etcdPeer: await freePort(),
      apiServer: await freePort(),
      controllerManager: await freePort(),
      scheduler: await freePort(),
      kwok: await freePort(),
    };
    const server = `https://127.0.0.1:${ports.apiServer}`;
    const kubeconfigPath = join(runDir, 'kubeconfig');
    writeKubeconfig(kubeconfigPath, {
      server,
      caCertPath: certs.caCert,
      clientCertPath: certs.adminCert,
      clientKeyPath: certs.adminKey,
    });
    const adminTls: ProbeTls = {
      ca: readFileSync(certs.caCert),
      cert: readFileSync(certs.adminCert),
      key: readFileSync(certs.adminKey),
    };

    let step = 0;
    const relaunchers = new Map<string, () => Promise<void>>();
    const launch = async (
      name: string,
      binary: string,
      args: string[],
      readyUrl: string,
      tls: ProbeTls,
      isReady: (status: number, body: string) => boolean,
    ) => {
      if (!relaunchers.has(name)) step++;
      relaunchers.set(name, () => launch(name, binary, args, readyUrl, tls, isReady));
      const stepStart = Date.now();
      const logPath = join(logDir, `${name}.log`);
      log(`control-plane: [${step}/${componentCount}] starting ${name} (log: ${logPath})`);
      const component = startComponent(name, binary, args, logPath, { detached: options.detached });
      components.push(component);
      writePidFile(runDir, components);
      await waitFor(
        `${name} to become ready at ${readyUrl}`,
        async () => {
          const res = await httpGet(readyUrl, tls);
          return isReady(res.status, res.body) ? true : undefined;
        },
        {
          timeoutMs: readyTimeoutMs,
          intervalMs: 100,
          abortIf: () =>
            component.hasExited()
              ? `${name} exited; last lines of ${logPath}:\n${tailOfLog(logPath)}`
              : undefined,
        },
      ).catch((err: unknown) => {
        const message = errorText(err);
        throw new Error(`${message}\nRead the log: ${logPath}`);
      });
      log(
        `control-plane: [${step}/${componentCount}] ${name} ready in ${((Date.now() - stepStart) / 1000).toFixed(1)} s`,
      );
    };

    await launch(
      'etcd',
      binaries.etcd,
      etcdArgs(join(runDir, 'etcd'), ports),
      `http://127.0.0.1:${ports.etcdClient}/health`,
      {},
      (status, body) => status === 200 && body.includes('"health":"true"'),
    );
    await launch(
      'kube-apiserver',
      binaries['kube-apiserver'],
      apiServerArgs(certs, certDir, ports),
      `${server}/readyz`,
      adminTls,
      (status) => status === 200,
    );
    // Served at all (any HTTP answer) means up: these two answer /healthz once their informers run.
    await launch(
      'kube-controller-manager',
      binaries['kube-controller-manager'],
      controllerManagerArgs(kubeconfigPath, certs, ports, options.extraControllers),
      `https://127.0.0.1:${ports.controllerManager}/healthz`,
      { insecure: true },
      (status) => status === 200,
    );
    await launch(
      'kube-scheduler',
      binaries['kube-scheduler'],
      schedulerArgs(kubeconfigPath, ports),
      `https://127.0.0.1:${ports.scheduler}/healthz`,
      { insecure: true },
      (status) => status === 200,
    );
    await launch(
      'kwok',
      binaries.kwok,
      kwokArgs(kubeconfigPath, ports),
      `http://127.0.0.1:${ports.kwok}/healthz`,
      {},
      (status) => status === 200,
    );
    log(
      `control-plane: ready in ${((Date.now() - started) / 1000).toFixed(1)} s; kubeconfig: ${kubeconfigPath}`,
    );
    writeFileSync(join(runDir, 'server'), server);
    // A detached cluster (make cluster-up) must outlive this process; make cluster-down stops it.
    if (options.detached) releaseComponents(components.map((c) => c.pid));

    return {
      runDir,
      kubeconfigPath,
      server,
      certs,
      components,
      kubectl: (args, input) =>
        runCommand(binaries.kubectl, ['--kubeconfig', kubeconfigPath, ...args], { input, timeoutMs: 60_000 }),
      async stopComponent(name) {
        const index = components.findIndex((c) => c.name === name);
        if (index < 0) throw new Error(`no running component named ${name}`);
        const [component] = components.splice(index, 1);
        await component!.stop();
        writePidFile(runDir, components);
      },
      async startComponent(name) {
        const relaunch = relaunchers.get(name);
        if (relaunch === undefined) throw new Error(`no component named ${name}`);
        if (components.some((c) => c.name === name)) throw new Error(`${name} is already running`);
        await relaunch();
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

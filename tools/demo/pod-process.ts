// Runs a DaemonSet Pod's container as a process inside a simulated host's network namespace, exactly as
// its spec says: the same command (the image's `doctor` is this checkout's CLI), the same environment
// (downward-API fields resolved from the Pod), the ConfigMap volume written to files and kept in sync as
// kubelet does, and the projected service-account token requested for that Pod with the same audience.
// Only the mount paths move under a per-Pod folder, since the host's /etc is not the Pod's.
import type * as k8s from '@kubernetes/client-node';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from '../cluster/paths.js';
import type { Testbed } from '../testbed/testbed.js';
import { imageCliPath } from '../../src/operator/desired/daemonset.js';

export interface PodProcess {
  pod: string;
  node: string;
  child: ChildProcess;
  /** Lines the process wrote (JSON logs parsed where possible). */
  logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

const cli = join(repoRoot, 'dist/src/cli.js');

/**
 * The container's command as Node flags and `doctor` arguments: either `doctor ARGS` (the image's
 * entrypoint) or `node FLAGS /app/dist/src/cli.js ARGS` (how the monitor DaemonSet passes V8 flags).
 */
export function localCommand(command: readonly string[]): [string[], string[]] {
  const [executable, ...rest] = command;
  if (executable === 'doctor') return [[], rest];
  const script = rest.indexOf(imageCliPath);
  if (executable === 'node' && script >= 0 && rest.slice(0, script).every((a) => a.startsWith('--')))
    return [rest.slice(0, script), rest.slice(script + 1)];
  throw new Error(`expected the container to run doctor or node ${imageCliPath}, got ${command.join(' ')}`);
}

function remap(value: string, mounts: Map<string, string>): string {
  for (const [mountPath, local] of mounts) {
    if (value === mountPath || value.startsWith(`${mountPath}/`))
      return local + value.slice(mountPath.length);
  }
  return value;
}

function writeAtomically(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, content);
  renameSync(`${path}.tmp`, path);
}

export async function startPodAsProcess(options: {
  core: k8s.CoreV1Api;
  testbed: Testbed;
  pod: k8s.V1Pod;
  /** Folder for this Pod's volumes. */
  rootDir: string;
  /** The simulated host (network namespace) the Pod's node is. */
  host: string;
  onLine?: (line: string) => void;
}): Promise<PodProcess> {
  const { core, pod } = options;
  const spec = pod.spec!;
  const container = spec.containers[0]!;
  const namespace = pod.metadata!.namespace!;
  const mounts = new Map<string, string>();
  const syncs: (() => Promise<void>)[] = [];

  for (const mount of container.volumeMounts ?? []) {
    const volume = spec.volumes?.find((v) => v.name === mount.name);
    const local = join(options.rootDir, mount.mountPath);
    mounts.set(mount.mountPath, local);
    if (volume?.configMap) {
      const name = volume.configMap.name!;
      const sync = async () => {
        const configMap = await core.readNamespacedConfigMap({ name, namespace });
        for (const [key, value] of Object.entries(configMap.data ?? {}))
          writeAtomically(join(local, key), value);
      };
      await sync();
      syncs.push(sync);
    } else if (volume?.emptyDir) {
      // A scratch folder, as kubelet gives (the monitor keeps its liveness file there).
      mkdirSync(local, { recursive: true });
    } else if (volume?.projected) {
      for (const source of volume.projected.sources ?? []) {
        const token = source.serviceAccountToken;
        if (!token) continue;
        const request = await core.createNamespacedServiceAccountToken({
          name: spec.serviceAccountName!,
          namespace,
          body: {
            spec: {
              audiences: token.audience ? [token.audience] : [],
              expirationSeconds: token.expirationSeconds ?? 3600,
              boundObjectRef: {
                kind: 'Pod',
                apiVersion: 'v1',
                name: pod.metadata!.name!,
                uid: pod.metadata!.uid!,
              },
            },
          },
        });
        writeAtomically(join(local, token.path), request.status!.token!);
      }
    }
  }

  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = remap(variable.value, mounts);
    else if (variable.valueFrom?.fieldRef?.fieldPath === 'spec.nodeName') env[variable.name] = spec.nodeName!;
    else if (variable.valueFrom?.fieldRef?.fieldPath === 'metadata.name')
      env[variable.name] = pod.metadata!.name!;
    else if (variable.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') env[variable.name] = namespace;
  }
  const [nodeFlags, args] = localCommand([...(container.command ?? []), ...(container.args ?? [])]);
  const child = options.testbed.spawnIn(
    options.host,
    process.execPath,
    [...nodeFlags, cli, ...args.map((a) => remap(a, mounts))],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    },
  );
  const logs: Record<string, unknown>[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      options.onLine?.(line);
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ message: line });
      }
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  // Like kubelet, refresh ConfigMap volumes now and then (here every 2 s instead of about a minute).
  const timer = setInterval(() => {
    for (const sync of syncs) sync().catch(() => undefined);
  }, 2_000);
  timer.unref();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pod: pod.metadata!.name!,
    node: spec.nodeName!,
    child,
    logs,
    async stop() {
      clearInterval(timer);
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
      const kill = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }, 5_000);
      await exited;
      clearTimeout(kill);
    },
  };
}

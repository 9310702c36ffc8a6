// Runs containers of the built image with runc, as a kubelet's runtime would: the image is unpacked once
// (umoci unpack) into a read-only root filesystem that every container shares; each container gets its own
// bundle folder holding only a config.json derived from the image's. cleanup() deletes every container it
// started and every folder, whatever state they are in.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Container ids start with this and the test process id, so a later run can remove leftovers. */
const idPrefix = 'doctor-image-test-';

export interface ContainerSpec {
  /** The process's argv; the image's entrypoint is not implied. */
  args: string[];
  /** Default: the image's user. */
  user?: { uid: number; gid: number };
  /** Linux capabilities the process keeps, e.g. ['CAP_NET_RAW']; default none. */
  capabilities?: string[];
  /** Path of a network namespace to join; default the host's network. */
  netns?: string;
  /** NAME=value pairs added to the image's environment. */
  env?: string[];
  /** Files or folders bound into the container; read-only unless `writable` (as a Pod's volumeMounts). */
  binds?: Array<{ source: string; destination: string; writable?: boolean }>;
}

export interface ContainerResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunningContainer {
  id: string;
  /** Everything the process wrote so far, stdout and stderr interleaved. */
  output(): string;
  exited: Promise<number | null>;
  hasExited(): boolean;
  /** SIGTERM, then SIGKILL after graceMs; resolves when runc has returned. */
  stop(graceMs?: number): Promise<void>;
}

interface OciConfig {
  process: Record<string, unknown> & { env: string[]; user: { uid: number; gid: number } };
  root: { path: string; readonly?: boolean };
  mounts: Array<Record<string, unknown>>;
  linux: { namespaces: Array<{ type: string; path?: string }> } & Record<string, unknown>;
}

function runc(args: string[]): { status: number | null; stderr: string } {
  const result = spawnSync('runc', args, { encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stderr: result.stderr ?? '' };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Deletes containers left by earlier test processes that died before their cleanup. */
export function removeStaleContainers(): string[] {
  const listed = spawnSync('runc', ['list', '--quiet'], { encoding: 'utf8', timeout: 30_000 });
  const stale = (listed.stdout ?? '')
    .split('\n')
    .filter((id) => id.startsWith(idPrefix))
    .filter((id) => !pidAlive(Number(id.slice(idPrefix.length).split('-')[0])));
  for (const id of stale) runc(['delete', '--force', id]);
  return stale;
}

export class ImageContainers {
  private readonly started = new Set<string>();
  private count = 0;

  private constructor(
    readonly dir: string,
    private readonly imageConfig: OciConfig,
  ) {}

  /** Unpacks `layout:tag` (an OCI layout) into a fresh temporary folder. */
  static unpack(layout: string, tag: string): ImageContainers {
    const dir = mkdtempSync(join(tmpdir(), 'doctor-image-'));
    const unpacked = spawnSync('umoci', ['unpack', '--image', `${layout}:${tag}`, join(dir, 'image')], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    if (unpacked.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`umoci unpack ${layout}:${tag} failed: ${unpacked.stderr}`);
    }
    const config = JSON.parse(readFileSync(join(dir, 'image', 'config.json'), 'utf8')) as OciConfig;
    return new ImageContainers(dir, config);
  }

  get imageUser(): { uid: number; gid: number } {
    return this.imageConfig.process.user;
  }

  /** The image's root filesystem on the host (read-only inside containers). */
  get rootfs(): string {
    return join(this.dir, 'image', 'rootfs');
  }

  private bundle(spec: ContainerSpec): { id: string; bundle: string } {
    const id = `${idPrefix}${process.pid}-${++this.count}`;
    const bundle = join(this.dir, id);
    mkdirSync(bundle);
    const caps = spec.capabilities ?? [];
    const config: OciConfig = structuredClone(this.imageConfig);
    // As Kubernetes sets them: no inheritable or ambient capabilities, no privilege gain on exec.
    config.process = {
      ...config.process,
      terminal: false,
      args: spec.args,
      user: spec.user ?? this.imageUser,
      env: [...config.process.env.filter((e) => !e.startsWith('TERM=')), ...(spec.env ?? [])],
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
      noNewPrivileges: true,
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 4096, soft: 4096 }],
    };
    config.root = { path: this.rootfs, readonly: true };
    config.mounts = [
      ...config.mounts,
      { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'size=16m'] },
      ...(spec.binds ?? []).map((b) => ({
        destination: b.destination,
        type: 'bind',
        source: b.source,
        options: ['rbind', b.writable ? 'rw' : 'ro'],
      })),
    ];
    const namespaces = config.linux.namespaces.filter((n) => n.type !== 'network');
    if (spec.netns) namespaces.push({ type: 'network', path: spec.netns });
    config.linux.namespaces = namespaces;
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(config));
    return { id, bundle };
  }

  /** Starts a container in the background; runc stays attached and relays its output. */
  start(spec: ContainerSpec): RunningContainer {
    const { id, bundle } = this.bundle(spec);
    this.started.add(id);
    const child = spawn('runc', ['run', '--bundle', bundle, id], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const maxOutput = 1024 * 1024;
    const collect = (chunk: Buffer): void => {
      if (output.length < maxOutput) output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const exited = new Promise<number | null>((resolve) => {
      child.once('error', () => resolve(null));
      child.once('exit', (code) => resolve(code));
    });
    const hasExited = (): boolean => child.exitCode !== null || child.signalCode !== null;
    const stop = async (graceMs = 10_000): Promise<void> => {
      if (hasExited()) return;
      runc(['kill', id, 'TERM']);
      const timer = setTimeout(() => runc(['kill', id, 'KILL']), graceMs);
      await exited;
      clearTimeout(timer);
    };
    return { id, output: () => output, exited, hasExited, stop };
  }

  /** Runs a container to completion (killed after timeoutMs) and returns its exit code and output. */
  async run(spec: ContainerSpec, timeoutMs = 30_000): Promise<ContainerResult> {
    const { id, bundle } = this.bundle(spec);
    this.started.add(id);
    const child = spawn('runc', ['run', '--bundle', bundle, id], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => runc(['kill', id, 'KILL']), timeoutMs);
    const code = await new Promise<number | null>((resolve) => {
      child.once('error', () => resolve(null));
      child.once('exit', (exitCode) => resolve(exitCode));
    });
    clearTimeout(timer);
    return { code, stdout, stderr };
  }

  /** Deletes every container this instance started (running or not) and the unpacked image. */
  cleanup(): void {
    for (const id of this.started) runc(['delete', '--force', id]);
    this.started.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

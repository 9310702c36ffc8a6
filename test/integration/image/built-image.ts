// The image under test: tools/image/build.sh builds it when its inputs changed (the script keeps a
// content hash, so an unchanged tree costs a few seconds) and prints its progress, which we relay.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../tools/cluster/paths.js';

export const imageOutDir = join(repoRoot, '.out/image');
export const imageLayout = join(imageOutDir, 'oci');
export const imageTag = (
  JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }
).version;

const buildTimeoutMs = 15 * 60_000;

let building: Promise<void> | undefined;

/** Runs tools/image/build.sh with extra environment; relays its progress lines to stderr when asked. */
export function runImageBuild(env: Record<string, string> = {}, relay = true): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn('bash', [join(repoRoot, 'tools/image/build.sh')], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const collect = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      tail = (tail + text).slice(-4000);
      if (relay) process.stderr.write(text);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), buildTimeoutMs);
    child.once('error', (err) => reject(err));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`tools/image/build.sh failed (${signal ?? `exit ${code}`}):\n${tail}`));
    });
  });
}

/** Builds the image once per test process (or finds it up to date). */
export function ensureImage(): Promise<void> {
  building ??= runImageBuild();
  return building;
}

export interface ImageConfig {
  User?: string;
  WorkingDir?: string;
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
}

function blob(digest: string): Buffer {
  const [algorithm, hex] = digest.split(':');
  return readFileSync(join(imageLayout, 'blobs', algorithm!, hex!));
}

/** The image's manifest (the one tagged imageTag in the OCI layout). */
export function imageManifest(): {
  config: { digest: string };
  layers: Array<{ digest: string; mediaType: string }>;
} {
  const index = JSON.parse(readFileSync(join(imageLayout, 'index.json'), 'utf8')) as {
    manifests: Array<{ digest: string; annotations?: Record<string, string> }>;
  };
  const entry = index.manifests.find(
    (m) => m.annotations?.['org.opencontainers.image.ref.name'] === imageTag,
  );
  if (!entry) throw new Error(`${imageLayout} has no image tagged ${imageTag}`);
  return JSON.parse(blob(entry.digest).toString('utf8')) as ReturnType<typeof imageManifest>;
}

export function imageConfig(): ImageConfig {
  const config = JSON.parse(blob(imageManifest().config.digest).toString('utf8')) as { config: ImageConfig };
  return config.config;
}

/** Path of a layer blob (gzip-compressed tar) in the layout. */
export function layerPath(digest: string): string {
  const [algorithm, hex] = digest.split(':');
  return join(imageLayout, 'blobs', algorithm!, hex!);
}

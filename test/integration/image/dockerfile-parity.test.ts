// The Dockerfile (for users with Docker) and tools/image/build.sh (make image, no engine) must give the
// same image: the same entrypoint, command, user, working directory and environment, the same pinned
// versions and Debian packages, and files in the same places. Here, without Docker, the Dockerfile is read
// and compared with the built image's OCI config and layers; tools/image/compare-docker.sh compares the
// two built images file by file where a Docker engine exists.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../../../tools/cluster/paths.js';
import { ensureImage, imageConfig, imageManifest, layerPath } from './built-image.js';
import { parseDockerfile, runtimeStage, type RuntimeStage } from './dockerfile.js';

const versions = Object.fromEntries(
  readFileSync(join(repoRoot, 'tools/image/versions.env'), 'utf8')
    .split('\n')
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);

function layerEntries(digest: string): string[] {
  const listing = execFileSync('tar', ['-tzf', layerPath(digest)], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return listing.split('\n').filter(Boolean);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => relative(repoRoot, join(e.parentPath, e.name)));
}

describe('Dockerfile and make image agree', function () {
  this.timeout(60_000);
  let stage: RuntimeStage;
  let dockerfile: ReturnType<typeof parseDockerfile>;

  before(async function () {
    this.timeout(20 * 60_000);
    await ensureImage();
    dockerfile = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
    stage = runtimeStage(dockerfile);
  });

  it('same entrypoint, command, user, working directory and environment', function () {
    const config = imageConfig();
    assert.deepEqual(config.Entrypoint, stage.entrypoint);
    assert.deepEqual(config.Cmd, stage.cmd);
    assert.equal(config.User, stage.user);
    assert.equal(config.User, `${versions.IMAGE_UID}:${versions.IMAGE_UID}`);
    assert.equal(config.WorkingDir, stage.workdir);
    for (const env of stage.env) assert.ok(config.Env?.includes(env), `image lacks ENV ${env}`);
  });

  it('same Node.js version, Debian suite and Debian packages', function () {
    assert.equal(dockerfile.globalArgs.NODE_VERSION, versions.NODE_VERSION);
    assert.equal(dockerfile.globalArgs.DEBIAN_SUITE, versions.DEBIAN_SUITE);
    assert.equal(dockerfile.stages.at(-1)!.from, 'debian:${DEBIAN_SUITE}-slim');
    assert.deepEqual([...stage.aptPackages].sort(), versions.BASE_PACKAGES!.split(',').sort());
  });

  it('the layers over the Debian base hold files exactly where the Dockerfile copies them', function () {
    const [, ...ownLayers] = imageManifest().layers;
    const entries = ownLayers.flatMap((layer) => layerEntries(layer.digest)).map((e) => `/${e}`);
    const isUnder = (entry: string, path: string) => entry === path || entry.startsWith(`${path}/`);
    const isAncestor = (entry: string, path: string) => entry.endsWith('/') && path.startsWith(entry);
    const stray = entries.filter(
      (e) => !stage.paths.some((p) => isUnder(e.replace(/\/$/, ''), p) || isAncestor(e, p)),
    );
    assert.deepEqual(stray, [], 'files the Dockerfile does not put in its image');
    for (const path of stage.paths) {
      assert.ok(
        entries.some((e) => isUnder(e.replace(/\/$/, ''), path)),
        `the Dockerfile copies ${path}; the image has nothing there`,
      );
    }
    // tsc in the Dockerfile's build stage emits one .js per source file of src/, no more, no less.
    const compiled = entries
      .filter((e) => e.startsWith('/app/dist/src/') && e.endsWith('.js'))
      .map((e) => e.slice('/app/dist/'.length).replace(/\.js$/, '.ts'))
      .sort();
    assert.deepEqual(compiled, sourceFiles(join(repoRoot, 'src')).sort());
  });
});

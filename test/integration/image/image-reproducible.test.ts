// make image is reproducible: a second build of the same tree into another folder (sharing only the
// cached Debian base and Node.js package, which are pinned) gives byte-identical archives.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../support/control-plane/paths.js';
import { ensureImage, imageOutDir, imageTag } from './built-image.js';

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function build(outDir: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(repoRoot, 'tools/image/build.sh')], {
      cwd: repoRoot,
      env: { ...process.env, IMAGE_OUT_DIR: outDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer): void => void (output = (output + chunk.toString('utf8')).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`second build failed (${code}):\n${output}`));
    });
  });
}

describe('make image is reproducible', function () {
  let secondOut: string | undefined;

  after(function () {
    if (secondOut) rmSync(secondOut, { recursive: true, force: true });
  });

  it('a second build of the same tree gives byte-identical OCI and docker archives', async function () {
    this.timeout(20 * 60_000);
    await ensureImage();
    secondOut = mkdtempSync(join(tmpdir(), 'doctor-image-rebuild-'));
    await build(secondOut, 10 * 60_000);
    for (const kind of ['oci', 'docker']) {
      const file = `doctor-operator-${imageTag}.${kind}.tar`;
      assert.equal(await sha256(join(secondOut, file)), await sha256(join(imageOutDir, file)), file);
    }
    assert.equal(
      readFileSync(join(secondOut, 'oci/index.json'), 'utf8'),
      readFileSync(join(imageOutDir, 'oci/index.json'), 'utf8'),
    );
  });
});

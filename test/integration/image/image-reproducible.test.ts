// make image is reproducible: a second build of the same tree into another folder (sharing only the
// cached Debian base and Node.js package, which are pinned) gives byte-identical archives.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureImage, imageOutDir, imageTag, runImageBuild } from './built-image.js';

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
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
    await runImageBuild({ IMAGE_OUT_DIR: secondOut }, false);
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

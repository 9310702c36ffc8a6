import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UuidSource, randomUuid } from '../../../src/monitor/random-uuid.js';

const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('random UUIDs', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'doctor-uuid-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('are version 4 UUIDs, all different (more than one batch of reads)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const id = randomUuid();
      assert.match(id, uuidV4);
      seen.add(id);
    }
    assert.equal(seen.size, 1000);
  });

  it('take their bits from the random file, setting only the version and variant bits', () => {
    const file = join(dir, 'random');
    writeFileSync(file, Buffer.alloc(64 * 16, 0xff));
    assert.equal(new UuidSource(file).next(), 'ffffffff-ffff-4fff-bfff-ffffffffffff');
    writeFileSync(file, Buffer.alloc(64 * 16, 0));
    assert.equal(new UuidSource(file).next(), '00000000-0000-4000-8000-000000000000');
  });

  it('fail with the file named when the random file is short', () => {
    const file = join(dir, 'short');
    writeFileSync(file, Buffer.alloc(10));
    assert.throws(() => new UuidSource(file).next(), /short ended after 10 bytes/);
  });
});

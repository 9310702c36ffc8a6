// The consumer in-process (startConsumer), for cases that need no child process.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import winston from 'winston';
import { type RunningConsumer, startConsumer } from '../../../src/consumer/command.js';
import { SeenIds } from '../../../src/consumer/seen-ids.js';

const silent = winston.createLogger({ silent: true });

describe('consumer app (in-process)', function () {
  this.timeout(20_000);
  let dir: string;
  let consumer: RunningConsumer | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'doctor-consumer-app-'));
  });

  afterEach(async () => {
    await consumer?.close();
    consumer = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('records bodies of unknown shape without an id, never as duplicates', async () => {
    const recordFile = join(dir, 'r.jsonl');
    consumer = await startConsumer({ port: 0, host: '127.0.0.1', recordFile, logger: silent });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${consumer.url}/failure`, {
        method: 'POST',
        body: '{"hello":"doctor"}',
        signal: AbortSignal.timeout(5000),
      });
      assert.equal(res.status, 200);
    }
    const lines = readFileSync(recordFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      lines.map((l) => [l.format, l.id, l.duplicate]),
      [
        ['unknown', undefined, false],
        ['unknown', undefined, false],
      ],
    );
  });

  it('answers other paths with 404 and keeps serving', async () => {
    consumer = await startConsumer({ port: 0, host: '127.0.0.1', logger: silent });
    const res = await fetch(`${consumer.url}/events`, {
      method: 'POST',
      body: '[]',
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(res.status, 404);
    assert.equal((await fetch(`${consumer.url}/healthz`, { signal: AbortSignal.timeout(5000) })).status, 200);
  });

  it('fails to start on a port in use, and closes its record file', async () => {
    consumer = await startConsumer({ port: 0, host: '127.0.0.1', logger: silent });
    const port = Number(new URL(consumer.url).port);
    await assert.rejects(
      startConsumer({ port, host: '127.0.0.1', recordFile: join(dir, 'x'), logger: silent }),
      {
        code: 'EADDRINUSE',
      },
    );
  });

  it('forgets the oldest ids beyond its capacity', () => {
    const seen = new SeenIds(3);
    assert.equal(seen.checkAndAdd('a'), false);
    assert.equal(seen.checkAndAdd('a'), true);
    seen.checkAndAdd('b');
    seen.checkAndAdd('c');
    seen.checkAndAdd('d');
    assert.equal(seen.size, 3);
    assert.equal(seen.checkAndAdd('b'), true);
    assert.equal(seen.checkAndAdd('a'), false);
  });
});

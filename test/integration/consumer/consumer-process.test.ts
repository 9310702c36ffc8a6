import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerNotificationInput } from '../../../src/notify/aodh.js';
import { deliver } from '../../../src/notify/deliver.js';
import { notificationIdHeader, signatureHeader } from '../../../src/notify/headers.js';
import { prepareServerNotification } from '../../../src/notify/notification.js';
import { signBody, signWebhook } from '../../../src/notify/signature.js';
import type { ArrivalRecord } from '../../../src/consumer/recorder.js';
import { type ConsumerProcess, runConsumerToExit, spawnConsumer } from './spawn.js';

const input: ServerNotificationInput = {
  kind: 'host.down',
  faultId: 'fault-7',
  consumer: 'vnfm',
  host: 'compute-9',
  server: { id: '7d3c1e70-0000-4000-8000-000000000001', projectId: 'tenant-x' },
  time: new Date(),
};

function records(path: string): ArrivalRecord[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ArrivalRecord);
}

/** Standard Webhooks headers signed now (or `ageSeconds` ago) with `key`. */
function signed(id: string, body: string, key: Buffer | string, ageSeconds = 0): Record<string, string> {
  return { ...signWebhook(id, Date.now() / 1000 - ageSeconds, body, key) };
}

function post(url: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${url}/failure`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(5000),
  });
}

describe('doctor consumer (child process)', function () {
  this.timeout(30_000);
  let dir: string;
  let consumer: ConsumerProcess | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'doctor-consumer-'));
  });

  afterEach(async () => {
    await consumer?.stop();
    consumer = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  describe('with an HMAC key', () => {
    const key = Buffer.from('consumer-shared-key');
    let recordFile: string;

    beforeEach(async () => {
      const keyFile = join(dir, 'key');
      // A trailing newline, as `echo key > file` writes it, must not matter.
      writeFileSync(keyFile, `${key.toString()}\n`);
      recordFile = join(dir, 'arrivals.jsonl');
      consumer = await spawnConsumer([
        '--hmac-key-file',
        keyFile,
        '--record',
        recordFile,
        '--max-body-bytes',
        '4096',
      ]);
    });

    it('accepts a signed Aodh notification, logs it like Doctor and records the arrival', async () => {
      const before = Date.now();
      const notification = prepareServerNotification('aodh', input);
      const result = await deliver({ url: `${consumer?.url}/failure`, hmacKey: key }, notification, {
        timeoutMs: 2000,
      });
      assert.equal(result.ok, true, result.error);
      assert.equal(result.status, 200);
      const [arrival] = records(recordFile);
      assert.equal(arrival?.id, notification.id);
      assert.equal(arrival?.format, 'aodh');
      assert.equal(arrival?.type, 'aodh.alarm');
      assert.equal(arrival?.host, 'compute-9');
      assert.equal(arrival?.server, input.server.id);
      assert.equal(arrival?.project, 'tenant-x');
      assert.equal(arrival?.duplicate, false);
      assert.ok((arrival?.receivedAtMs ?? 0) >= before && (arrival?.receivedAtMs ?? 0) <= Date.now());
      const logged = consumer?.stdout.find((line) => line.includes('doctor consumer notified at'));
      assert.ok(logged, consumer?.stdout.join('\n'));
      const entry = JSON.parse(logged) as { message: string; body: { alarm_name: string } };
      assert.match(entry.message, /^doctor consumer notified at \d+\.\d{3}$/);
      assert.equal(entry.body.alarm_name, `doctor-${input.server.id}`);
    });

    it('refuses unsigned and wrongly signed posts with 401 and records nothing', async () => {
      const notification = prepareServerNotification('aodh', input);
      const url = consumer?.url ?? '';
      const { id, body } = notification;
      assert.equal((await post(url, body)).status, 401);
      assert.equal((await post(url, body, signed(id, body, 'wrong'))).status, 401);
      const tampered = body.replace('compute-9', 'compute-8');
      assert.equal((await post(url, tampered, signed(id, body, key))).status, 401);
      // The body-only legacy signature alone no longer passes: it covers neither id nor time.
      assert.equal((await post(url, body, { [signatureHeader]: signBody(body, key) })).status, 401);
      const wrongKey = await deliver({ url: `${url}/failure`, hmacKey: Buffer.from('nope') }, notification, {
        timeoutMs: 2000,
      });
      assert.equal(wrongKey.ok, false);
      assert.equal(wrongKey.status, 401);
      assert.equal(wrongKey.retryable, false);
      assert.equal(readFileSync(recordFile, 'utf8'), '');
    });

    it('refuses a captured request sent again under another id', async () => {
      const { id, body } = prepareServerNotification('aodh', input);
      const captured = signed(id, body, key);
      const renamed = await post(consumer?.url ?? '', body, { ...captured, 'webhook-id': `${id}-again` });
      assert.equal(renamed.status, 401);
      assert.match(((await renamed.json()) as { error: string }).error, /does not match/);
      // The unsigned id header cannot be changed either.
      const relabelled = await post(consumer?.url ?? '', body, {
        ...captured,
        [notificationIdHeader]: `${id}-again`,
      });
      assert.equal(relabelled.status, 401);
      assert.equal(readFileSync(recordFile, 'utf8'), '');
    });

    it('refuses a correctly signed request whose timestamp is older than the tolerance', async () => {
      const { id, body } = prepareServerNotification('aodh', input);
      const stale = await post(consumer?.url ?? '', body, signed(id, body, key, 301));
      assert.equal(stale.status, 401);
      assert.match(((await stale.json()) as { error: string }).error, /webhook-timestamp/);
      const future = await post(consumer?.url ?? '', body, signed(id, body, key, -301));
      assert.equal(future.status, 401);
      // Within the tolerance it passes.
      assert.equal((await post(consumer?.url ?? '', body, signed(id, body, key, 290))).status, 200);
    });

    it('refuses an exact replay of an accepted request with 409', async () => {
      const { id, body } = prepareServerNotification('aodh', input);
      const captured = signed(id, body, key);
      assert.equal((await post(consumer?.url ?? '', body, captured)).status, 200);
      const replay = await post(consumer?.url ?? '', body, captured);
      assert.equal(replay.status, 409);
      assert.deepEqual(
        records(recordFile).map((a) => [a.id, a.duplicate]),
        [[id, false]],
      );
    });

    it('drops a duplicate id with 200 and marks it in the record', async () => {
      const notification = prepareServerNotification('cloudevents', input);
      const target = { url: `${consumer?.url}/failure`, hmacKey: key };
      assert.equal((await deliver(target, notification, { timeoutMs: 2000 })).status, 200);
      // The operator's retry: the same id, signed again with a later timestamp.
      const again = await fetch(`${consumer?.url}/failure`, {
        method: 'POST',
        headers: {
          'content-type': notification.contentType,
          [notificationIdHeader]: notification.id,
          ...signed(notification.id, notification.body, key, -2),
        },
        body: notification.body,
        signal: AbortSignal.timeout(5000),
      });
      assert.equal(again.status, 200);
      assert.deepEqual(await again.json(), { status: 'duplicate' });
      const arrivals = records(recordFile);
      assert.deepEqual(
        arrivals.map((a) => [a.id, a.format, a.type, a.duplicate]),
        [
          [notification.id, 'cloudevents', 'io.doctor.server.error', false],
          [notification.id, 'cloudevents', 'io.doctor.server.error', true],
        ],
      );
    });

    it('answers 400 to invalid JSON and 413 to an oversized body', async () => {
      const url = consumer?.url ?? '';
      const broken = '{"alarm_name": ';
      assert.equal((await post(url, broken, signed('broken', broken, key))).status, 400);
      const big = JSON.stringify({ pad: 'x'.repeat(10_000) });
      assert.equal((await post(url, big, signed('big', big, key))).status, 413);
      assert.equal((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) })).status, 200);
    });

    it('stops cleanly on SIGTERM', async () => {
      const url = consumer?.url ?? '';
      const code = await consumer?.stop();
      assert.equal(code, 0);
      await assert.rejects(fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) }));
    });
  });

  it('accepts unsigned notifications when no key is configured', async () => {
    consumer = await spawnConsumer([]);
    const notification = prepareServerNotification('aodh', { ...input, kind: 'host.up' });
    const result = await deliver({ url: `${consumer.url}/failure` }, notification, { timeoutMs: 2000 });
    assert.equal(result.ok, true);
  });

  it('exits 2 with a clear message for bad options', async () => {
    const badPort = await runConsumerToExit(['--port', 'http']);
    assert.equal(badPort.code, 2);
    assert.match(badPort.stderr, /--port must be 0\.\.65535, got "http"/);
    const missingKey = await runConsumerToExit(['--hmac-key-file', join(dir, 'absent')]);
    assert.equal(missingKey.code, 2);
    assert.match(missingKey.stderr, /--hmac-key-file: cannot read .*absent \(ENOENT\)/);
    const tolerance = await runConsumerToExit(['--tolerance-seconds', '0']);
    assert.equal(tolerance.code, 2);
    assert.match(tolerance.stderr, /--tolerance-seconds must be an integer from 1 to 86400/);
    const unknown = await runConsumerToExit(['--colour']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown option '--colour'/);
    const help = await runConsumerToExit(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: doctor consumer/);
  });
});

// deliver(): one POST, never throws, and says whether a retry can help.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deliver } from '../../../src/notify/deliver.js';
import { notificationIdHeader, signatureHeader } from '../../../src/notify/headers.js';
import { prepareServerNotification } from '../../../src/notify/notification.js';
import { verifySignature, verifyWebhook } from '../../../src/notify/signature.js';

const notification = prepareServerNotification('aodh', {
  kind: 'host.down',
  faultId: 'f',
  consumer: 'c',
  host: 'h',
  server: { id: 's', projectId: 'p' },
  time: new Date(),
});

interface Seen {
  headers: IncomingMessage['headers'];
  body: string;
}

describe('notification delivery', function () {
  this.timeout(20_000);
  let server: Server | undefined;

  afterEach(async () => {
    if (server !== undefined) {
      server.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
      server = undefined;
    }
  });

  async function consumerAnswering(status: number, seen: Seen[] = [], delayMs = 0): Promise<string> {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => (body += c));
      req.on('end', () => {
        seen.push({ headers: req.headers, body });
        setTimeout(() => res.writeHead(status).end('{"status":"x"}'), delayMs);
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/failure`;
  }

  it('posts the exact body with its id, type and signature headers', async () => {
    const seen: Seen[] = [];
    const key = Buffer.from('k');
    // The consumer answers after 50 ms: the measured duration must include that wait.
    const result = await deliver(
      { url: await consumerAnswering(200, seen, 50), hmacKey: key },
      notification,
      {
        timeoutMs: 2000,
      },
    );
    assert.equal(result.ok, true);
    assert.equal(result.retryable, false);
    assert.ok(result.durationMs >= 49 && result.durationMs < 2000, `took ${result.durationMs} ms`);
    const [request] = seen;
    assert.equal(request?.body, notification.body);
    assert.equal(request?.headers['content-type'], 'application/json');
    assert.equal(request?.headers[notificationIdHeader.toLowerCase()], notification.id);
    assert.ok(
      verifySignature(notification.body, key, request?.headers[signatureHeader.toLowerCase()] as string),
    );
    assert.match(String(request?.headers['user-agent']), /^doctor-operator\//);
    const verdict = verifyWebhook({
      id: request?.headers['webhook-id'] as string,
      timestamp: request?.headers['webhook-timestamp'] as string,
      signature: request?.headers['webhook-signature'] as string,
      body: request?.body ?? '',
      key,
      nowSeconds: Date.now() / 1000,
    });
    assert.deepEqual(verdict.ok && verdict.id, notification.id);
  });

  it('signs each attempt with its own send time', async () => {
    const seen: Seen[] = [];
    const url = await consumerAnswering(200, seen);
    const target = { url, hmacKey: Buffer.from('k') };
    await deliver(target, notification, { timeoutMs: 2000, now: () => 1_700_000_000_000 });
    await deliver(target, notification, { timeoutMs: 2000, now: () => 1_700_000_005_000 });
    assert.deepEqual(
      seen.map((s) => s.headers['webhook-timestamp']),
      ['1700000000', '1700000005'],
    );
    assert.notEqual(seen[0]?.headers['webhook-signature'], seen[1]?.headers['webhook-signature']);
  });

  it('leaves the signature out without a key', async () => {
    const seen: Seen[] = [];
    await deliver({ url: await consumerAnswering(204, seen) }, notification, { timeoutMs: 2000 });
    assert.equal(seen[0]?.headers[signatureHeader.toLowerCase()], undefined);
    assert.equal(seen[0]?.headers['webhook-signature'], undefined);
  });

  it('marks 5xx, 429 and 408 retryable and other 4xx not', async () => {
    for (const [status, retryable] of [
      [503, true],
      [500, true],
      [429, true],
      [408, true],
      [400, false],
      [404, false],
    ] as const) {
      const result = await deliver({ url: await consumerAnswering(status) }, notification, {
        timeoutMs: 2000,
      });
      assert.equal(result.ok, false);
      assert.equal(result.status, status);
      assert.equal(result.retryable, retryable, String(status));
      assert.match(result.error ?? '', new RegExp(`HTTP ${status}`));
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
      server = undefined;
    }
  });

  it('reports a consumer that is down or too slow as retryable, without throwing', async () => {
    const url = await consumerAnswering(200);
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
    const down = await deliver({ url }, notification, { timeoutMs: 2000 });
    assert.equal(down.ok, false);
    assert.equal(down.retryable, true);
    assert.match(down.error ?? '', /ECONNREFUSED/);

    const slow = await deliver({ url: await consumerAnswering(200, [], 1000) }, notification, {
      timeoutMs: 100,
    });
    assert.equal(slow.ok, false);
    assert.equal(slow.retryable, true);
    assert.match(slow.error ?? '', /no response within 100 ms/);
  });

  it('does not retry a malformed target URL', async () => {
    const result = await deliver({ url: 'mailto:ops@example.com' }, notification, { timeoutMs: 100 });
    assert.equal(result.ok, false);
    assert.equal(result.retryable, false);
  });
});

// The answer endpoint refuses what it must before anything reaches the workflow: unsigned or wrongly
// signed answers, unknown sessions, oversized or malformed bodies, and everything while not leading.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { maintenanceAnswerRouter, type AnswerSink } from '../../../src/maintenance/answer-http.js';
import type { MaintenanceAnswer } from '../../../src/maintenance/answers.js';
import { signWebhook, type SignedHeaders } from '../../../src/notify/index.js';

/** Standard Webhooks headers for an answer signed now (or `ageSeconds` ago). */
function signed(body: string, key: Buffer | string, ageSeconds = 0): SignedHeaders {
  return signWebhook(randomUUID(), Date.now() / 1000 - ageSeconds, body, key);
}

describe('maintenance answer endpoint', function () {
  this.timeout(10_000);
  let server: Server;
  let base: string;
  let leading = true;
  const received: { consumer: string; answer: MaintenanceAnswer }[] = [];
  const key = Buffer.from('vnfm-key');

  before(async () => {
    const sink: AnswerSink = {
      accepting: () => leading,
      keyFor: (session, consumer) =>
        Promise.resolve(
          session !== 's1'
            ? undefined
            : consumer === 'vnfm'
              ? key
              : consumer === 'open'
                ? 'unsigned'
                : undefined,
        ),
      answer: (_session, consumer, answer) => {
        received.push({ consumer, answer });
        return Promise.resolve({ status: 200, message: 'ACK recorded' });
      },
    };
    const app = express();
    app.use(maintenanceAnswerRouter(sink));
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/maintenance/v1`;
  });

  after(() => new Promise<void>((r) => server.close(() => r())));

  const put = (path: string, body: string, signature?: SignedHeaders, method = 'PUT') =>
    fetch(`${base}/${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(signature ?? {}),
      },
      body: method === 'GET' ? undefined : body,
    });
  const answer = JSON.stringify({ session_id: 's1', state: 'ACK_PLANNED_MAINTENANCE' });

  it('records a signed answer from the consumer named in the path', async () => {
    const res = await put('s1/vnfm', answer, signed(answer, key));
    assert.equal(res.status, 200);
    assert.deepEqual(received.at(-1), {
      consumer: 'vnfm',
      answer: { sessionId: 's1', verdict: 'ACK', actions: {} },
    });
  });

  it('refuses unsigned, wrongly signed, unknown, unauthenticatable, malformed and oversized answers', async () => {
    const count = received.length;
    const expect = async (res: Response, status: number, message: RegExp) => {
      assert.equal(res.status, status);
      assert.match(((await res.json()) as { error: string }).error, message);
    };
    await expect(await put('s1/vnfm', answer), 401, /must be signed/);
    await expect(await put('s1/vnfm', answer, signed(answer, 'other-key')), 401, /does not match/);
    await expect(await put('s1/vnfm', answer, signed(answer, key, 600)), 401, /more than 300 s/);
    await expect(await put('s1/open', answer, signed(answer, 'x')), 401, /no secretRef/);
    await expect(await put('s2/vnfm', answer, signed(answer, key)), 404, /no maintenance session s2/);
    await expect(await put('s1/vnfm', '{', signed('{', key)), 400, /not JSON/);
    const otherSession = JSON.stringify({ session_id: 's9', state: 'ACK_PLANNED_MAINTENANCE' });
    await expect(await put('s1/vnfm', otherSession, signed(otherSession, key)), 400, /differs/);
    const big = JSON.stringify({
      session_id: 's1',
      state: 'ACK_PLANNED_MAINTENANCE',
      pad: 'x'.repeat(70_000),
    });
    await expect(await put('s1/vnfm', big, signed(big, key)), 413, /larger than/);
    await expect(await put('s1/vnfm', answer, signed(answer, key), 'GET'), 405, /PUT or POST/);
    leading = false;
    await expect(await put('s1/vnfm', answer, signed(answer, key)), 503, /not the leader/);
    leading = true;
    assert.equal(received.length, count, 'nothing refused reached the workflow');
  });
});

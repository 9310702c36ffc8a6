// The sample consumer answers maintenance.scheduled in both formats: signed, after its delay, ACK or NACK
// as configured, and not at all in mode none.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { startConsumer, type RunningConsumer } from '../../../src/consumer/command.js';
import { scheduledMaintenance } from '../../../src/consumer/maintenance-answerer.js';
import { signWebhook, verifyWebhook } from '../../../src/notify/index.js';
import { prepareMaintenanceNotification } from '../../../src/notify/maintenance.js';
import { createLogger } from '../../../src/observability/logger.js';

describe('sample consumer answering maintenance', function () {
  this.timeout(15_000);
  const key = Buffer.from('consumer-key');
  let replies: Server;
  let replyBase: string;
  const answers: {
    path: string;
    body: { state: string; instance_ids: string[]; session_id: string };
    signed: boolean;
    at: number;
  }[] = [];
  let consumer: RunningConsumer | undefined;

  before(async () => {
    const app = express();
    app.put('/maintenance/v1/:session/:consumer', express.raw({ type: () => true }), (req, res) => {
      const raw = req.body as Buffer;
      answers.push({
        path: req.path,
        body: JSON.parse(raw.toString('utf8')) as (typeof answers)[number]['body'],
        signed: verifyWebhook({
          id: req.get('webhook-id'),
          timestamp: req.get('webhook-timestamp'),
          signature: req.get('webhook-signature'),
          body: raw,
          key,
          nowSeconds: Date.now() / 1000,
        }).ok,
        at: Date.now(),
      });
      res.json({ result: 'ok' });
    });
    replies = app.listen(0, '127.0.0.1');
    await new Promise((r) => replies.once('listening', r));
    replyBase = `http://127.0.0.1:${(replies.address() as AddressInfo).port}/maintenance/v1`;
  });

  afterEach(async () => {
    await consumer?.close();
    consumer = undefined;
    answers.length = 0;
  });

  after(() => new Promise<void>((r) => replies.close(() => r())));

  const notify = async (format: 'aodh' | 'cloudevents', server: string) => {
    const prepared = prepareMaintenanceNotification(format, {
      kind: 'maintenance.scheduled',
      sessionId: 'node-1-abc',
      consumer: 'vnfm',
      host: 'compute-1',
      time: new Date(),
      server: { id: server, projectId: 'p1' },
      replyUrl: `${replyBase}/node-1-abc/vnfm`,
      answerBy: new Date(Date.now() + 60_000).toISOString(),
      migration: 'live',
    });
    const res = await fetch(`${consumer?.url ?? ''}/failure`, {
      method: 'POST',
      headers: {
        'content-type': prepared.contentType,
        ...signWebhook(`maintenance-${server}`, Date.now() / 1000, prepared.body, key),
      },
      body: prepared.body,
    });
    assert.equal(res.status, 200);
    return Date.now();
  };

  const waitForAnswers = async (count: number) => {
    for (let i = 0; i < 500 && answers.length < count; i++) await new Promise((r) => setTimeout(r, 10));
  };

  it('ACKs after its delay and NACKs the servers it is told to, signed', async () => {
    consumer = await startConsumer({
      port: 0,
      host: '127.0.0.1',
      hmacKey: key,
      logger: createLogger('consumer-test', 'error'),
      maintenance: { mode: 'ack', delayMs: 300, nackServers: ['srv-2'] },
    });
    const sentAt = await notify('aodh', 'srv-1');
    await notify('cloudevents', 'srv-2');
    await waitForAnswers(2);
    const byServer = new Map(answers.map((a) => [a.body.instance_ids[0], a]));
    assert.equal(byServer.get('srv-1')?.body.state, 'ACK_PLANNED_MAINTENANCE');
    assert.equal(byServer.get('srv-2')?.body.state, 'NACK_PLANNED_MAINTENANCE');
    assert.ok(answers.every((a) => a.signed && a.path === '/maintenance/v1/node-1-abc/vnfm'));
    assert.ok(answers.every((a) => a.body.session_id === 'node-1-abc'));
    assert.ok((byServer.get('srv-1')?.at ?? 0) - sentAt >= 250, 'waited for its delay');
  });

  it('never answers in mode none', async () => {
    consumer = await startConsumer({
      port: 0,
      host: '127.0.0.1',
      hmacKey: key,
      logger: createLogger('consumer-test', 'error'),
      maintenance: { mode: 'none', delayMs: 0, nackServers: [] },
    });
    await notify('aodh', 'srv-1');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(answers, []);
  });

  it('recognises only maintenance.scheduled with every field it needs', () => {
    assert.equal(scheduledMaintenance({ type: 'io.doctor.server.error', data: {} }), undefined);
    assert.equal(
      scheduledMaintenance({ type: 'io.doctor.maintenance.scheduled', data: { sessionId: 's' } }),
      undefined,
    );
    assert.equal(
      scheduledMaintenance({
        reason_data: { event: { event_type: 'maintenance.scheduled', traits: [['session_id', 1, 's']] } },
      }),
      undefined,
    );
    assert.equal(scheduledMaintenance(null), undefined);
  });
});

// One keep-alive agent per cluster and client identity, bounded in connections, with its TLS context
// built once: the API client otherwise builds an agent, a connection and a TLS context per request.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Agent } from 'node:https';
import * as k8s from '@kubernetes/client-node';
import {
  handOverSocketsNextTurn,
  maxSocketsPerAgent,
  reuseConnections,
} from '../../../src/runtime/kube-connections.js';

type Factory = (cluster: k8s.Cluster | null, options: Record<string, unknown>) => Agent;

function factory(): Factory {
  const config = reuseConnections(new k8s.KubeConfig());
  return (config as unknown as { createAgent: Factory }).createAgent;
}

const pem = (): Buffer =>
  Buffer.from(
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
  );
const key = pem();
const otherKey = pem();

const cluster = { name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: false } as k8s.Cluster;

describe('kube connections', function () {
  it('hands every request of one identity the same bounded keep-alive agent with one TLS context', function () {
    const createAgent = factory();
    // Each request builds its options afresh: equal content must still find the same agent.
    const first = createAgent(cluster, { key: Buffer.from(key), cert: undefined });
    const second = createAgent(cluster, { key: Buffer.from(key), cert: undefined });
    assert.equal(second, first);
    const options = (first as unknown as { options: Record<string, unknown> }).options;
    assert.equal(first.maxSockets, maxSocketsPerAgent);
    assert.equal(options.keepAlive, true);
    assert.ok(options.secureContext, 'the TLS context is built once, for the agent');
  });

  it('keeps identities apart', function () {
    const createAgent = factory();
    const base = createAgent(cluster, { key: key });
    assert.notEqual(createAgent(cluster, { key: otherKey }), base);
    assert.notEqual(createAgent(cluster, { key: key, rejectUnauthorized: false }), base);
    assert.notEqual(createAgent({ ...cluster, server: 'https://127.0.0.2:6443' }, { key: key }), base);
  });

  it('gives a queued request its socket only after the previous chunked response closed (no false "Premature close")', async function () {
    // Chunked answers, as the API server sends for larger objects; more requests than sockets.
    const server = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.write('{"ok":');
      setImmediate(() => res.end('true}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    // node-fetch 2 (under the API client) calls a chunked response truncated when, as it closes, its
    // socket still has a data listener: the same check, on plain requests.
    const looksTruncated = (agent: http.Agent): Promise<boolean> =>
      new Promise((resolve, reject) => {
        const req = http.get(url, { agent }, (res) => {
          const socket = req.socket;
          res.once('close', () => resolve(socket !== null && socket.listenerCount('data') > 0));
          res.resume();
        });
        req.on('error', reject);
      });
    const burst = async (agent: http.Agent): Promise<number> => {
      const outcomes = await Promise.all(Array.from({ length: 40 }, () => looksTruncated(agent)));
      agent.destroy();
      return outcomes.filter(Boolean).length;
    };
    try {
      const plain = new http.Agent({ keepAlive: true, maxSockets: 2 });
      assert.ok((await burst(plain)) > 0, 'without the hand-over on the next turn, queued requests fail');
      const fixed = new http.Agent({ keepAlive: true, maxSockets: 2 });
      handOverSocketsNextTurn(fixed);
      assert.equal(await burst(fixed), 0);
    } finally {
      server.close();
    }
  });
});

// One keep-alive agent per cluster and client identity, bounded in connections, with its TLS context
// built once: the API client otherwise builds an agent, a connection and a TLS context per request.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { Agent } from 'node:https';
import * as k8s from '@kubernetes/client-node';
import { maxSocketsPerAgent, reuseConnections } from '../../../src/runtime/kube-connections.js';

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
});

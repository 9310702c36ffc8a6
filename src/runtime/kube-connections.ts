// @kubernetes/client-node 1.x builds a new https.Agent for every request, so every API call opened a
// new connection and paid a full TLS handshake. Under a burst (a rack failing: hundreds of status
// writes, Events and reads) that handshake CPU, on both sides, was the operator's bottleneck. This keeps
// one keep-alive agent per cluster and client identity and hands it to every request.
import type * as k8s from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import type { Agent } from 'node:http';

type AgentFactory = (cluster: k8s.Cluster | null, options: Record<string, unknown>) => Agent;

export function reuseConnections(config: k8s.KubeConfig): k8s.KubeConfig {
  const target = config as unknown as { createAgent: AgentFactory };
  const original = target.createAgent.bind(config);
  const agents = new Map<string, Agent>();
  target.createAgent = (cluster, options) => {
    if (cluster?.proxyUrl) return original(cluster, options);
    const identity = [
      cluster?.server,
      options.ca,
      options.cert,
      options.key,
      options.rejectUnauthorized,
      options.servername,
    ];
    const key = createHash('sha256').update(JSON.stringify(identity)).digest('hex');
    let agent = agents.get(key);
    if (!agent) {
      agent = original(cluster, { ...options, keepAlive: true });
      agents.set(key, agent);
    }
    return agent;
  };
  return config;
}

// @kubernetes/client-node 1.x builds a new https.Agent for every request, so every API call opened a
// new connection and paid a full TLS handshake. Under a burst (a rack failing: hundreds of status
// writes, Events and reads) that handshake CPU, on both sides, was the operator's bottleneck. This keeps
// one keep-alive agent per cluster and client identity and hands it to every request.
import type * as k8s from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import type { Agent } from 'node:http';
import { createSecureContext } from 'node:tls';

type AgentFactory = (cluster: k8s.Cluster | null, options: Record<string, unknown>) => Agent;

/**
 * Connections per agent. Without a bound a burst of concurrent writes opens one connection (and one TLS
 * handshake) per write, and the surplus is closed again later; with it, writes queue briefly and reuse
 * warm connections. Well above the few long-lived watches, which hold one connection each.
 */
export const maxSocketsPerAgent = 32;

export function reuseConnections(config: k8s.KubeConfig): k8s.KubeConfig {
  const target = config as unknown as { createAgent: AgentFactory };
  const original = target.createAgent.bind(config);
  const agents = new Map<string, Agent>();
  target.createAgent = (cluster, options) => {
    if (cluster?.proxyUrl) return original(cluster, options);
    const key = identityKey(cluster, options);
    let agent = agents.get(key);
    if (!agent) {
      agent = original(cluster, {
        ...options,
        keepAlive: true,
        maxSockets: maxSocketsPerAgent,
        maxFreeSockets: maxSocketsPerAgent,
        ...secureContextFor(cluster, options),
      });
      handOverSocketsNextTurn(agent);
      agents.set(key, agent);
    }
    return agent;
  };
  return config;
}

/** Hashed field by field: keys and certificates are Buffers, whose JSON form is large to build per call. */
function identityKey(cluster: k8s.Cluster | null, options: Record<string, unknown>): string {
  const hash = createHash('sha256');
  const fields = [cluster?.server, options.ca, options.cert, options.key, options.rejectUnauthorized];
  for (const field of [...fields, options.servername]) {
    const bytes = Buffer.isBuffer(field) ? field : Buffer.from(JSON.stringify(field ?? null));
    hash.update(`${bytes.length}:`).update(bytes);
  }
  return hash.digest('hex');
}

/**
 * One TLS context per agent, parsed once: otherwise every new connection parses the CA and the client
 * key pair again.
 */
function secureContextFor(
  cluster: k8s.Cluster | null,
  options: Record<string, unknown>,
): { secureContext?: ReturnType<typeof createSecureContext> } {
  if (!cluster?.server?.startsWith('https:') || options.pfx !== undefined) return {};
  const material: Record<string, unknown> = {};
  for (const name of ['ca', 'cert', 'key', 'passphrase'] as const)
    if (options[name] !== undefined) material[name] = options[name];
  return { secureContext: createSecureContext(material) };
}

/**
 * A request queued for a socket (more requests than maxSockets) gets the socket the previous response
 * freed on the next turn, not at once. node-fetch 2, under the API client, checks when a chunked
 * response closes whether its socket still has a data listener and calls the response truncated
 * ("Premature close") if so; handed over at once, the socket already carries the next request's
 * listener, so nearly every queued request failed although its response was complete.
 */
export function handOverSocketsNextTurn(agent: Agent): void {
  const emit = agent.emit.bind(agent) as (event: string | symbol, ...args: unknown[]) => boolean;
  agent.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event !== 'free') return emit(event, ...args);
    setImmediate(() => emit(event, ...args));
    return true;
  }) as Agent['emit'];
}

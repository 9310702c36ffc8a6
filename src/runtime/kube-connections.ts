// @kubernetes/client-node 2.x builds a new undici Agent for every request (in applySecurityAuthentication,
// which every API call and watch goes through), so every call opens a new connection and pays a full TLS
// handshake. Under a burst (a rack failing: hundreds of status writes, Events and reads) that handshake CPU,
// on both sides, was the operator's bottleneck. This wraps that public method: the library still sets the
// headers (token, impersonation, basic auth), and the request then goes out through one keep-alive pool per
// cluster and client identity.
import type * as k8s from '@kubernetes/client-node';
import { bufferFromFileOrString } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import { createSecureContext, type ConnectionOptions } from 'node:tls';
import { Agent, type buildConnector } from 'undici';

/**
 * Connections per pool. The API server speaks HTTP/2, which undici negotiates (as client-go does): one
 * connection carries up to 100 concurrent requests and watches, so a burst of 200 writes opens two. Over
 * HTTP/1.1 (a proxy that does not speak HTTP/2) each connection carries one request at a time: without a
 * bound a burst opens one connection (and one TLS handshake) per write; with it, writes queue briefly and
 * reuse warm connections.
 */
export const maxConnectionsPerPool = 32;

/**
 * How long an idle connection stays open: well below the API server's idle timeout (90 s), so the client
 * closes first and never sends a request on an HTTP/1.1 connection the server is closing; long enough that
 * connections stay warm between the bursts of a steady load (heartbeats every few seconds).
 */
export const idleConnectionMs = 30_000;

/** Pools kept per configuration: a credential rotation starts a new one; older ones are closed. */
const maxPools = 4;

/** TLS settings of the current cluster and user, read the way client-node reads them for each request. */
export interface ClientTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  servername?: string;
  rejectUnauthorized?: boolean;
}

export function reuseConnections(config: k8s.KubeConfig): k8s.KubeConfig {
  const pools = new Map<string, Agent>();
  const authenticate = config.applySecurityAuthentication.bind(config);
  config.applySecurityAuthentication = async (context) => {
    await authenticate(context);
    const cluster = config.getCurrentCluster();
    // Proxied clusters keep the library's proxy dispatcher.
    if (!cluster || cluster.proxyUrl) return;
    const tls = clientTls(cluster, config.getCurrentUser());
    const key = identityKey(cluster.server, tls);
    let pool = pools.get(key);
    if (!pool) {
      pool = connectionPool(cluster.server, tls);
      pools.set(key, pool);
      for (const [oldKey, old] of pools) {
        if (pools.size <= maxPools) break;
        pools.delete(oldKey);
        void old.close();
      }
    }
    context.setDispatcher(pool);
  };
  return config;
}

export function clientTls(cluster: k8s.Cluster, user: k8s.User | null): ClientTls {
  // Like client-node: without a user it applies no TLS settings at all.
  if (!user) return {};
  const tls: ClientTls = {};
  if (cluster.skipTLSVerify) tls.rejectUnauthorized = false;
  if (cluster.tlsServerName) tls.servername = cluster.tlsServerName;
  const ca = bufferFromFileOrString(cluster.caFile, cluster.caData);
  const cert = bufferFromFileOrString(user.certFile, user.certData);
  const key = bufferFromFileOrString(user.keyFile, user.keyData);
  if (ca) tls.ca = ca;
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  return tls;
}

/** Hashed field by field: keys and certificates are Buffers, whose JSON form is large to build per call. */
export function identityKey(server: string, tls: ClientTls): string {
  const hash = createHash('sha256');
  const fields = [server, tls.ca, tls.cert, tls.key, tls.rejectUnauthorized, tls.servername];
  for (const field of fields) {
    const bytes = Buffer.isBuffer(field) ? field : Buffer.from(JSON.stringify(field ?? null));
    hash.update(`${bytes.length}:`).update(bytes);
  }
  return hash.digest('hex');
}

/**
 * One pool of keep-alive connections, with its TLS context parsed once (otherwise every new connection
 * parses the CA and the client key pair again). TCP keep-alive probes after 30 s of silence, as client-node
 * sets them, notice a dead peer under a quiet watch.
 */
function connectionPool(server: string, tls: ClientTls): Agent {
  const secure: ConnectionOptions = {};
  if (server.startsWith('https:')) {
    const { ca, cert, key, servername, rejectUnauthorized } = tls;
    secure.secureContext = createSecureContext({ ca, cert, key });
    if (servername !== undefined) secure.servername = servername;
    if (rejectUnauthorized !== undefined) secure.rejectUnauthorized = rejectUnauthorized;
  }
  const connect: buildConnector.BuildOptions = { ...secure, keepAlive: true, keepAliveInitialDelay: 30_000 };
  return new Agent({
    allowH2: true,
    connections: maxConnectionsPerPool,
    keepAliveTimeout: idleConnectionMs,
    keepAliveMaxTimeout: idleConnectionMs,
    connect,
  });
}

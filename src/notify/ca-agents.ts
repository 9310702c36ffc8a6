// Connection pools for consumers behind a private CA. A consumer's caBundle becomes one keep-alive pool,
// shared by every delivery that names the same bundle, so retries and later faults reuse connections.
// Bounded: the least recently used pool is closed when more bundles than `maxPools` are in use.
import { createHash, X509Certificate } from 'node:crypto';
import { HttpAgents } from '../util/http-client.js';

/** Largest accepted CA bundle: a few dozen certificates, far beyond any real chain. */
export const maxCaBundleBytes = 64 * 1024;
const maxPools = 32;
const pools = new Map<string, HttpAgents>();

/** Throws an Error saying what is wrong with `pem` as a CA bundle (size, no certificate, bad PEM). */
export function checkCaBundle(pem: string): void {
  if (Buffer.byteLength(pem) > maxCaBundleBytes)
    throw new Error(`caBundle is larger than ${maxCaBundleBytes} bytes`);
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error('caBundle holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  // TLS would silently skip a certificate it cannot parse; say which one is broken instead.
  blocks.forEach((block, index) => {
    try {
      new X509Certificate(block);
    } catch (err) {
      throw new Error(`caBundle is not valid PEM: certificate ${index + 1}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  });
}

/** The pool that trusts exactly the certificates of `pem` (not the system roots). */
export function caAgents(pem: string): HttpAgents {
  const key = createHash('sha256').update(pem).digest('hex');
  let agents = pools.get(key);
  if (agents !== undefined) {
    pools.delete(key);
    pools.set(key, agents);
    return agents;
  }
  checkCaBundle(pem);
  agents = new HttpAgents({ ca: pem }, 16);
  pools.set(key, agents);
  if (pools.size > maxPools) {
    const [oldestKey, oldest] = pools.entries().next().value as [string, HttpAgents];
    pools.delete(oldestKey);
    oldest.destroy();
  }
  return agents;
}

// A TCP proxy in front of the API server that holds every byte a client sends for `delayMs` before
// passing it on (order kept), so each request reaches the API server that much later; answers and watch
// events flow back at once. With a kubeconfig pointing at it, a test sees whether something waits for
// the API server. Listens on 127.0.0.1 only.
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import yaml from 'js-yaml';

export interface SlowProxy {
  port: number;
  /** Changes the hold time for bytes sent from now on. */
  setDelay(ms: number): void;
  /** Writes a copy of `kubeconfigPath` whose server is this proxy; returns its path. */
  kubeconfig(kubeconfigPath: string, outPath: string): string;
  stop(): Promise<void>;
}

export async function startSlowProxy(target: string, delayMs: number): Promise<SlowProxy> {
  const upstream = new URL(target);
  let delay = delayMs;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const backend = net.connect(Number(upstream.port), upstream.hostname);
    sockets.add(client);
    sockets.add(backend);
    let lastDue = 0;
    client.on('data', (chunk) => {
      // Never earlier than the chunk before it: the byte stream stays in order.
      const due = Math.max(Date.now() + delay, lastDue);
      lastDue = due;
      setTimeout(() => {
        if (!backend.destroyed) backend.write(chunk);
      }, due - Date.now());
    });
    backend.pipe(client);
    const close = () => {
      client.destroy();
      backend.destroy();
      sockets.delete(client);
      sockets.delete(backend);
    };
    client.on('close', close);
    backend.on('close', close);
    client.on('error', close);
    backend.on('error', close);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    setDelay(ms) {
      delay = ms;
    },
    kubeconfig(kubeconfigPath, outPath) {
      const config = yaml.load(readFileSync(kubeconfigPath, 'utf8')) as {
        clusters: { cluster: { server: string } }[];
      };
      for (const entry of config.clusters) entry.cluster.server = `https://127.0.0.1:${port}`;
      writeFileSync(outPath, yaml.dump(config), { mode: 0o600 });
      return outPath;
    },
    stop() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

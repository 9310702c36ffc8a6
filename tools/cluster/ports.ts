// Free TCP ports on 127.0.0.1: bind to port 0, read the port, release it. Several components start in
// sequence, so a port is reserved for the whole run to avoid handing the same one out twice.
import { createServer } from 'node:net';

const handedOut = new Set<number>();

function probeFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await probeFreePort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('could not find a free TCP port on 127.0.0.1 after 20 attempts');
}

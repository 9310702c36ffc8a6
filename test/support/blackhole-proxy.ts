// A TCP proxy on 127.0.0.1 in front of the API server that can black-hole: while it does, bytes in both
// directions are dropped on the floor and connections stay open, as when a network path silently dies
// (no reset, no error: only timeouts notice). Used to cut one operator replica off its API server.
import net from 'node:net';

export interface BlackholeProxy {
  port: number;
  /** Drop every byte from now on (open connections and new ones alike). */
  blackhole(): void;
  /** Forward again (connections that lost bytes are broken; clients open new ones). */
  restore(): void;
  /** Client connections accepted so far. */
  accepted(): number;
  close(): Promise<void>;
}

export async function startBlackholeProxy(target: { host: string; port: number }): Promise<BlackholeProxy> {
  let dropping = false;
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const forward = (from: net.Socket, to: net.Socket) =>
    from.on('data', (chunk: Buffer) => {
      if (!dropping && !to.destroyed) to.write(chunk);
    });
  const server = net.createServer((client) => {
    accepted++;
    track(client);
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    forward(client, upstream);
    forward(upstream, client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    blackhole: () => {
      dropping = true;
    },
    restore: () => {
      dropping = false;
    },
    accepted: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// A request written byte for byte on a fresh connection, for answers a client library would not wait
// for (a body promised and never sent). Resolves with what arrived once `until` is in it or the server
// closed, or with a note after the bound.
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export async function rawAnswer(
  port: number,
  request: string,
  until: string,
  boundMs = 3_000,
): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  const answer = new Promise<string>((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.includes(until)) resolve(text);
    });
    socket.on('close', () => resolve(text));
  });
  socket.write(request);
  try {
    return await Promise.race([answer, sleep(boundMs).then(() => `no answer within ${boundMs} ms`)]);
  } finally {
    socket.destroy();
  }
}

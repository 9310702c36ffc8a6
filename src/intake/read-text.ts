// The body of a report as text, bounded in size while it is read. The common case (no Content-Encoding,
// no charset named: UTF-8) is read here with a byte count and one decode; anything else goes to
// body-parser, which undoes encodings and checks charsets. Both answer the same errors: 413 with type
// entity.too.large beyond the limit (before reading when Content-Length says so), and the text without a
// byte order mark.
import express from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface BodyError {
  status?: number;
  type?: string;
  message?: string;
}

export type TextReader = (
  req: IncomingMessage,
  res: ServerResponse,
  done: (err: BodyError | undefined, text: string) => void,
) => void;

const tooLarge = (limit: number): BodyError => ({
  status: 413,
  type: 'entity.too.large',
  message: `request entity too large (limit ${limit} bytes)`,
});

/** Plain UTF-8: nothing to undo, nothing to convert. */
function plain(req: IncomingMessage): boolean {
  if (req.headers['content-encoding'] !== undefined) return false;
  const type = req.headers['content-type'];
  return type === undefined || !/charset/i.test(type);
}

export function createTextReader(limit: number): TextReader {
  // Whatever the Content-Type: Doctor's monitors are not all careful with headers.
  const parser = express.text({ type: () => true, limit });
  return (req, res, done) => {
    if (!plain(req)) {
      parser(req, res, (err?: unknown) => {
        const body = (req as IncomingMessage & { body?: unknown }).body;
        done(err as BodyError | undefined, typeof body === 'string' ? body : '');
      });
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (declared > limit) return done(tooLarge(limit), '');
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limit) {
        req.off('data', onData);
        req.off('end', onEnd);
        // The rest is read and dropped until the client stops (the server's request timeout bounds it),
        // so the answer reaches it instead of a reset; the refusal closes the connection after that.
        req.resume();
        done(tooLarge(limit), '');
        return;
      }
      chunks.push(chunk);
    };
    // A request that ends early ('aborted', 'error') never gets here: there is no one left to answer.
    const onEnd = (): void => {
      const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8');
      done(undefined, text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', () => undefined);
  };
}

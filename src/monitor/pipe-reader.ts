// Reads a child process's output pipe with less work per read than a 'data' listener. fping's output
// wakes the monitor some 60 times a second; per read, a 'data' listener runs the stream's buffering
// (push, addChunk, emit) and schedules a nextTick to read ahead, about a fifth of the monitor's CPU. The
// pipe's socket hands every read to its own push(), so taking push over gets each chunk straight from the
// read, and the stream's buffer stays empty.
import type { Readable } from 'node:stream';

/** Calls `onChunk` with every chunk read from `stream`; its end still ends the stream as usual. */
export function readChunks(stream: Readable, onChunk: (chunk: Buffer) => void): void {
  const push = stream.push.bind(stream);
  stream.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
    // null: the end of the output ('end' and 'close' follow as usual).
    if (!Buffer.isBuffer(chunk)) return push(chunk, encoding);
    onChunk(chunk);
    return true;
  };
  // Starts the reads. Should a Node version feed the stream some other way, its chunks come here.
  stream.on('data', onChunk);
}

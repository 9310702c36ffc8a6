// The watch behind every informer: the API server's stream of JSON lines, split and parsed straight from
// undici's body. client-node's Watch goes through fetch, a web stream, a Node stream and readline before
// the JSON parse; with a thousand kubelets (kwok) updating their Node every few seconds that plumbing cost
// the idle operator more CPU than the parsing itself. Same contract as client-node's Watch, so its
// ListWatch (list, resume from the last resourceVersion, relist on 410) runs on top unchanged.
import * as k8s from '@kubernetes/client-node';
import { STATUS_CODES } from 'node:http';
import type { Readable } from 'node:stream';
import { request } from 'undici';
import { ChunkBatcher } from './chunk-batcher.js';
import { pruneJson, type JsonPrune } from './json-prune.js';

/** A watch that sends nothing for this long is dropped and resumed from its last resourceVersion. */
export const watchInactivityMs = 30_000;

/** Longest event line kept while waiting for its end: an object is at most a few MB in etcd. */
export const maxWatchLineBytes = 16 * 1024 * 1024;

export type WatchCallback = (phase: string, object: unknown, event: unknown) => void;
export type DoneCallback = (err: unknown) => void;

/** Splits a byte stream into lines (handed over as bytes, valid only during the call); fails when one
 * line outgrows `maxBytes`. */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly onLine: (line: Buffer) => void,
    private readonly maxBytes = maxWatchLineBytes,
  ) {}

  /** Feeds a chunk; returns an error when a line is longer than allowed (the rest is not read). */
  push(chunk: Buffer): Error | undefined {
    let start = 0;
    let newline = chunk.indexOf(0x0a, start);
    while (newline !== -1) {
      if (this.pendingBytes > 0) {
        this.pending.push(chunk.subarray(start, newline));
        this.emit(Buffer.concat(this.pending));
        this.pending = [];
        this.pendingBytes = 0;
      } else this.emit(chunk.subarray(start, newline));
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) {
      this.pendingBytes += chunk.length - start;
      if (this.pendingBytes > this.maxBytes)
        return new Error(`watch event longer than ${this.maxBytes} bytes`);
      this.pending.push(chunk.subarray(start));
    }
    return undefined;
  }

  private emit(line: Buffer): void {
    if (line.length > 1 || (line.length === 1 && line[0] !== 0x0d)) this.onLine(line);
  }
}

function timeoutError(ms: number): Error {
  const err = new Error(`no watch event within ${ms} ms`);
  // ListWatch resumes at once from the last resourceVersion after a timeout (no backoff, no relist).
  err.name = 'TimeoutError';
  return err;
}

/** An event line as JSON text: only what `prune` keeps of it when there is a rule. */
export function eventText(line: Buffer, prune: JsonPrune | undefined): string {
  return (prune && pruneJson(line, prune)) ?? line.toString('utf8');
}

export interface LineWatchOptions {
  /** What is kept of each event line (`{type, object}`) before it is parsed. */
  prune?: JsonPrune;
  /** How long received events may wait to be handled together with the next ones (default 0). */
  batchMs?: number;
}

export class LineWatch {
  constructor(
    readonly config: k8s.KubeConfig,
    private readonly inactivityMs = watchInactivityMs,
    private readonly options: LineWatchOptions = {},
  ) {}

  /**
   * Starts one watch request. `done` is called once: when the server ends the stream, on an error, or
   * after `inactivityMs` without a byte; not after the caller aborted it.
   */
  async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: WatchCallback,
    done: DoneCallback,
  ): Promise<AbortController> {
    const cluster = this.config.getCurrentCluster();
    if (!cluster) throw new Error('No currently active cluster');
    const url = new URL(cluster.server + path);
    url.searchParams.set('watch', 'true');
    // Bookmarks keep a quiet watch's resourceVersion recent, so resuming it rarely meets 410 Gone.
    url.searchParams.set('allowWatchBookmarks', 'true');
    for (const [key, value] of Object.entries(queryParams)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const context = new k8s.RequestContext(url.toString(), k8s.HttpMethod.GET);
    await this.config.applySecurityAuthentication(context);

    let finished = false;
    let stream: Readable | undefined;
    let held: ChunkBatcher | undefined;
    // No abort signal: aborting a request still waiting for its answer on a shared HTTP/2 session leaves
    // undici an error nobody listens to when that session later closes. A stream is ended by destroying
    // its body, which also covers one cancelled before its answer arrived.
    const finish = (err: unknown): void => {
      if (finished) return;
      // Events received before the end are handed over first (which may itself end the watch).
      held?.flush();
      if (finished) return;
      finished = true;
      stream?.destroy();
      done(err);
    };
    const controller = new AbortController();
    // The caller aborting (stop, or a new watch replacing this one) ends it without a `done`.
    controller.abort = () => {
      finished = true;
      held?.drop();
      stream?.destroy();
    };

    const dispatcher = context.getDispatcher();
    request(url, {
      method: 'GET',
      headers: context.getHeaders(),
      // Both bound the silence: before the answer, and between two chunks of the stream.
      headersTimeout: this.inactivityMs,
      bodyTimeout: this.inactivityMs,
      ...(dispatcher ? { dispatcher } : {}),
    }).then(
      ({ statusCode, body }) => {
        stream = body;
        body.on('error', (err: Error & { code?: string }) =>
          finish(err.code === 'UND_ERR_BODY_TIMEOUT' ? timeoutError(this.inactivityMs) : err),
        );
        if (finished) {
          body.destroy();
          return;
        }
        if (statusCode !== 200) {
          const err = new Error(STATUS_CODES[statusCode] ?? `HTTP ${statusCode}`) as Error & {
            statusCode: number;
          };
          err.statusCode = statusCode;
          finish(err);
          return;
        }
        const lines = new LineSplitter((line) => {
          let event: { type?: string; object?: unknown };
          try {
            event = JSON.parse(eventText(line, this.options.prune)) as { type?: string; object?: unknown };
          } catch {
            return; // as client-node: a line that is not JSON is skipped
          }
          if (!finished && typeof event.type === 'string') callback(event.type, event.object, event);
        });
        held = new ChunkBatcher((chunk) => {
          if (finished) return;
          const tooLong = lines.push(chunk);
          if (tooLong) finish(tooLong);
        }, this.options.batchMs ?? 0);
        const batcher = held;
        body.on('data', (chunk: Buffer) => {
          if (!finished) batcher.push(chunk);
        });
        body.once('end', () => finish(null));
        body.once('close', () => finish(null));
      },
      (err: Error & { code?: string }) =>
        finish(err.code === 'UND_ERR_HEADERS_TIMEOUT' ? timeoutError(this.inactivityMs) : err),
    );
    return controller;
  }
}

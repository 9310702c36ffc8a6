// The messages between a harness and the Nova simulator running in its own process (child.ts).
import type { SimOptions } from './options.js';

/** The options that cross a process boundary (plain JSON). */
export type SimChildOptions = Pick<SimOptions, 'hosts' | 'serversPerHost' | 'latencyMs' | 'maxPageSize'>;

export interface HostFacts {
  /** The host's nova-compute service. */
  serviceUuid?: string;
  forcedDown?: boolean;
  serverIds: string[];
}

type Request =
  | { op: 'clearCalls' }
  | { op: 'setLatency'; latencyMs: number }
  /** From now on, the first `calls` Nova calls whose path matches `path` (a RegExp source) answer 503. */
  | { op: 'failFirstCalls'; calls: number; path: string }
  | { op: 'novaCalls'; method?: string; /** RegExp source */ path?: string }
  | { op: 'hostFacts'; host: string }
  | { op: 'restoreServers'; host: string }
  /** Answered once the host is forced down and every server on it reset (or the time is up). */
  | { op: 'awaitRemediation'; host: string; timeoutMs: number };

export type SimRequest = Request & { id: number };

export type SimReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

export interface ChildReady {
  url: string;
  authUrl: string;
  cloudsYaml: string;
}

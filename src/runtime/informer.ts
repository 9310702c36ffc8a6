// A watched cache of one resource kind that keeps itself alive. client-node's informer stops for good
// on any error other than 410 Gone; this wrapper restarts it with capped backoff, reports whether its
// cache is synced, and forwards every change to one handler (which enqueues keys).
//
// "Synced" means a LIST succeeded and no error has happened since: client-node's start() resolves even
// when its LIST was refused (it only emits 'error'), and an empty cache taken for the truth would look
// like every object was deleted.
import * as k8s from '@kubernetes/client-node';
import type { Logger } from '../observability/logger.js';
import { exponentialDelay } from '../util/backoff.js';
import { describeApiError } from './api-errors.js';
import type { JsonPrune } from './json-prune.js';
import { LineWatch, watchInactivityMs, type DoneCallback, type WatchCallback } from './line-watch.js';
import { sameContent } from './same-content.js';

/** The informer hands callbacks the very object it caches: dropping managedFields here (often half of a
 * Node's size, and never read by the operator) roughly halves the memory of a thousand-node cache. */
function slim<T extends k8s.KubernetesObject>(obj: T): T {
  if (obj.metadata?.managedFields) delete obj.metadata.managedFields;
  return obj;
}

export type ChangeHandler<T> = (object: T, change: 'add' | 'update' | 'delete') => void;

export interface WatchedResourceOptions<T extends k8s.KubernetesObject> {
  name: string;
  path: string;
  list: () => Promise<k8s.KubernetesListObject<T>>;
  labelSelector?: string;
  /** Trims each object in place before it is cached for good, to what the operator reads of it. */
  keep?: (object: T) => T;
  /** What of each watched object's JSON is parsed at all (default: all but metadata.managedFields).
   * Cheaper than `keep` for what it drops, which is never parsed; `keep` still trims the LIST. */
  prune?: JsonPrune;
  /** How long watch events may wait to be handled together (see ChunkBatcher); default 0. */
  batchMs?: number;
  onChange: ChangeHandler<T>;
  maxRestartDelayMs?: number;
}

export class WatchedResource<T extends k8s.KubernetesObject> {
  private readonly informer: k8s.Informer<T> & k8s.ObjectCache<T>;
  private synced = false;
  /** A LIST has succeeded once: from then on a watch resumed from the last resourceVersion catches up. */
  private listed = false;
  private errors = 0;
  private stopped = true;
  private restarts = 0;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    config: k8s.KubeConfig,
    private readonly options: WatchedResourceOptions<T>,
    private readonly log: Logger,
  ) {
    const list = async () => {
      const result = await options.list();
      this.listed = true;
      return result;
    };
    // client-node's makeInformer, with the lighter watch underneath.
    const objectPrune = options.prune ?? { metadata: { managedFields: 'drop' } };
    const lineWatch = new LineWatch(config, watchInactivityMs, {
      prune: { object: objectPrune },
      batchMs: options.batchMs ?? 0,
    });
    const keep = options.keep ?? ((obj: T) => obj);
    // An update that, trimmed, is the cached object again only moves the cached resourceVersion (where
    // a resumed watch starts): the cached object stays, and no handler runs.
    const watch = {
      watch: (path: string, query: Record<string, string>, callback: WatchCallback, done: DoneCallback) =>
        lineWatch.watch(
          path,
          query,
          (phase, object, event) => callback(phase, this.unlessUnchanged(phase, object, keep), event),
          done,
        ),
    } as unknown as k8s.Watch;
    this.informer = new k8s.ListWatch(options.path, watch, list, false, options.labelSelector);
    this.informer.on('add', (obj) => options.onChange(keep(slim(obj)), 'add'));
    this.informer.on('update', (obj) => options.onChange(keep(slim(obj)), 'update'));
    this.informer.on('delete', (obj) => options.onChange(obj, 'delete'));
    this.informer.on('error', (err: unknown) => {
      this.errors++;
      this.synced = false;
      this.scheduleRestart(err);
    });
  }

  /** The cached object, at the event's resourceVersion, when a MODIFIED event changes nothing kept. */
  private unlessUnchanged(phase: string, object: unknown, keep: (obj: T) => T): unknown {
    if (phase !== 'MODIFIED') return object;
    const next = object as T;
    const name = next?.metadata?.name;
    const cached = name === undefined ? undefined : this.informer.get(name, next.metadata?.namespace);
    if (!cached?.metadata || !sameContent(cached, keep(slim(next)))) return object;
    cached.metadata.resourceVersion = next.metadata?.resourceVersion;
    return cached;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.attempt();
  }

  /** One (re)start of the informer: synced when a LIST has succeeded and this start met no error. */
  private async attempt(): Promise<void> {
    const errorsBefore = this.errors;
    try {
      await this.informer.start();
      if (!this.stopped && this.listed && this.errors === errorsBefore) {
        this.synced = true;
        this.restarts = 0;
      }
    } catch (err) {
      this.errors++;
      this.synced = false;
      this.scheduleRestart(err);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.synced = false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await this.informer.stop().catch(() => undefined);
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  list(): readonly T[] {
    return this.informer.list();
  }

  get(name: string, namespace?: string): T | undefined {
    return this.informer.get(name, namespace);
  }

  private scheduleRestart(err: unknown): void {
    if (this.stopped || this.restartTimer) return;
    this.restarts++;
    const cap = this.options.maxRestartDelayMs ?? 30_000;
    const delay = exponentialDelay(this.restarts, 500, cap) * (0.8 + Math.random() * 0.4);
    this.log.warn('watch failed; restarting', {
      resource: this.options.name,
      error: describeApiError(err),
      restartInMs: Math.round(delay),
    });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopped) return;
      void this.attempt();
    }, delay);
    this.restartTimer.unref();
  }
}

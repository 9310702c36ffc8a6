// Plain in-memory fakes of the remediation ports (status, Secrets, taints, Events), a fake Nova and a fake
// consumer, shared by the unit and integration tests of src/remediation.
import { Writable } from 'node:stream';
import winston from 'winston';
import type { FaultPolicy, NotifyTarget } from '../../../src/api/types.js';
import type { DeliveryResult, DeliveryTarget, PreparedNotification } from '../../../src/notify/index.js';
import type { ForceDownResult, NovaApi, ServerSummary } from '../../../src/openstack/index.js';
import type { EventTarget, EventType } from '../../../src/runtime/event-recorder.js';
import type {
  EventSink,
  HostHealthStatusReader,
  HostHealthStatusWriter,
  NodeTaint,
  NodeTainter,
  NovaFactory,
  RemediationStatusPatch,
  RemediationView,
  SecretReader,
} from '../../../src/remediation/index.js';
import { defaultedSpecFields } from '../../support/fixtures/policy-spec.js';

export function silentLogger(): winston.Logger {
  const sink = new Writable({ write: (_chunk, _enc, done) => done() });
  return winston.createLogger({
    level: 'debug',
    transports: [new winston.transports.Stream({ stream: sink })],
  });
}

type Json = Record<string, unknown>;

/** RFC 7386 JSON merge patch. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const result: Json =
    target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Json) } : {};
  for (const [key, value] of Object.entries(patch as Json)) {
    if (value === null) delete result[key];
    else if (value !== undefined) result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/** HostHealth status of every node, written with merge patches like the status subresource. */
export class MemoryStatusStore implements HostHealthStatusWriter, HostHealthStatusReader {
  readonly statuses = new Map<string, RemediationView>();
  readonly patches: { name: string; patch: RemediationStatusPatch }[] = [];
  failWrites = 0;
  writeDelayMs = 0;

  constructor(initial: Record<string, RemediationView> = {}) {
    for (const [name, status] of Object.entries(initial)) this.statuses.set(name, structuredClone(status));
  }

  async patchStatus(name: string, patch: RemediationStatusPatch): Promise<void> {
    if (this.writeDelayMs > 0) await new Promise((r) => setTimeout(r, this.writeDelayMs));
    if (this.failWrites > 0) {
      this.failWrites--;
      throw new Error('injected status write failure');
    }
    this.patches.push({ name, patch: structuredClone(patch) });
    this.statuses.set(name, applyMergePatch(this.statuses.get(name), patch) as RemediationView);
  }

  readStatus(name: string): Promise<RemediationView | undefined> {
    const status = this.statuses.get(name);
    return Promise.resolve(status === undefined ? undefined : structuredClone(status));
  }

  status(name: string): RemediationView {
    return this.statuses.get(name) ?? {};
  }

  writesFor(name: string): number {
    return this.patches.filter((p) => p.name === name).length;
  }
}

export class MapSecrets implements SecretReader {
  readonly reads: string[] = [];
  constructor(readonly values: Record<string, string> = {}) {}

  read(name: string, key: string): Promise<string> {
    this.reads.push(`${name}/${key}`);
    const value = this.values[`${name}/${key}`];
    return value === undefined
      ? Promise.reject(new Error(`Secret ${name} has no key ${key}`))
      : Promise.resolve(value);
  }

  readAll(name: string): Promise<Record<string, string>> {
    const prefix = `${name}/`;
    const entries = Object.entries(this.values).filter(([path]) => path.startsWith(prefix));
    if (entries.length === 0) return Promise.reject(new Error(`Secret ${name} not found`));
    return Promise.resolve(Object.fromEntries(entries.map(([path, v]) => [path.slice(prefix.length), v])));
  }
}

export class MemoryTainter implements NodeTainter {
  readonly taints = new Map<string, NodeTaint[]>();
  readonly calls: string[] = [];
  failures = 0;
  gate: Promise<void> | undefined;

  async ensureTaint(node: string, taint: NodeTaint): Promise<'added' | 'updated' | 'present'> {
    this.calls.push(`ensure ${node}`);
    await this.gate;
    if (this.failures > 0) {
      this.failures--;
      throw new Error('injected Node patch failure');
    }
    const list = this.taints.get(node) ?? [];
    const same = list.find((t) => t.key === taint.key && t.effect === taint.effect);
    if (same?.value === taint.value) return 'present';
    this.taints.set(node, [...list.filter((t) => t !== same), taint]);
    return same !== undefined ? 'updated' : 'added';
  }

  removeTaint(node: string, key: string, effect: NodeTaint['effect']): Promise<'removed' | 'absent'> {
    this.calls.push(`remove ${node}`);
    const list = this.taints.get(node) ?? [];
    const kept = list.filter((t) => !(t.key === key && t.effect === effect));
    this.taints.set(node, kept);
    return Promise.resolve(kept.length < list.length ? 'removed' : 'absent');
  }
}

export interface RecordedEvent {
  kind: string;
  name: string;
  type: EventType;
  reason: string;
  message: string;
}

export class MemoryEvents implements EventSink {
  readonly events: RecordedEvent[] = [];

  record(target: EventTarget, type: EventType, reason: string, message: string): Promise<void> {
    this.events.push({ kind: target.kind, name: target.name, type, reason, message });
    return Promise.resolve();
  }

  reasons(kind?: string): string[] {
    return this.events.filter((e) => kind === undefined || e.kind === kind).map((e) => e.reason);
  }
}

export interface FakeServer extends ServerSummary {
  state: string;
}

/** A Nova with hosts and servers in memory; each operation can be held at a gate or made to fail. */
export class FakeNova implements NovaApi {
  readonly servers = new Map<string, FakeServer>();
  readonly forcedDown = new Map<string, boolean>();
  readonly calls: string[] = [];
  latencyMs = 0;
  gates: Partial<Record<'forceDown' | 'list' | 'reset' | 'unforce', Promise<void>>> = {};
  /** Return an error to make that call fail. */
  fail: (op: string, arg: string) => Error | undefined = () => undefined;
  inFlight = 0;
  maxInFlight = 0;

  addServers(host: string, count: number, projects = ['p1', 'p2']): FakeServer[] {
    const made: FakeServer[] = [];
    for (let i = 0; i < count; i++) {
      const id = `${host}-vm-${String(i).padStart(4, '0')}`;
      const server: FakeServer = {
        id,
        name: id,
        status: 'ACTIVE',
        projectId: projects[i % projects.length] ?? 'p1',
        host,
        state: 'active',
      };
      this.servers.set(id, server);
      made.push(server);
    }
    return made;
  }

  private async op<T>(
    name: 'forceDown' | 'list' | 'reset' | 'unforce',
    arg: string,
    body: () => T,
  ): Promise<T> {
    this.calls.push(`${name} ${arg}`);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.gates[name];
      if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
      const error = this.fail(name, arg);
      if (error !== undefined) throw error;
      return body();
    } finally {
      this.inFlight--;
    }
  }

  forceDown(host: string): Promise<ForceDownResult> {
    return this.op('forceDown', host, () => {
      this.forcedDown.set(host, true);
      return { host, serviceId: `svc-${host}`, microversion: '2.96', api: 'uuid' as const };
    });
  }

  unforceDown(host: string): Promise<ForceDownResult> {
    return this.op('unforce', host, () => {
      this.forcedDown.set(host, false);
      return { host, serviceId: `svc-${host}`, microversion: '2.96', api: 'uuid' as const };
    });
  }

  listServersOnHost(host: string): Promise<ServerSummary[]> {
    return this.op('list', host, () =>
      [...this.servers.values()]
        .filter((s) => s.host === host)
        .map(({ state: _state, ...summary }) => summary),
    );
  }

  resetServerToError(id: string): Promise<void> {
    return this.op('reset', id, () => {
      const server = this.servers.get(id);
      if (server !== undefined) {
        server.state = 'error';
        server.status = 'ERROR';
      }
    });
  }

  callsOf(op: string): string[] {
    return this.calls.filter((c) => c.startsWith(`${op} `));
  }
}

export function fakeNovaFactory(nova: NovaApi, made: string[] = [], closed: string[] = []): NovaFactory {
  return (cloudsYaml) => {
    made.push(cloudsYaml);
    return Promise.resolve({ nova, close: () => closed.push(cloudsYaml) });
  };
}

export interface Attempt {
  url: string;
  id: string;
  body: string;
  signed: boolean;
  at: number;
  /** The answer: true for 200. */
  ok?: boolean;
}

/** A consumer per URL that answers 200, or fails while `down` says so. */
export class FakeConsumers {
  readonly attempts: Attempt[] = [];
  down: (url: string, attempt: Attempt) => boolean = () => false;
  /** Runs before answering, e.g. to hold deliveries. */
  delayMs = 0;

  readonly deliver = async (
    target: DeliveryTarget,
    notification: PreparedNotification,
  ): Promise<DeliveryResult> => {
    const attempt: Attempt = {
      url: target.url,
      id: notification.id,
      body: notification.body,
      signed: target.hmacKey !== undefined,
      at: Date.now(),
    };
    this.attempts.push(attempt);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    attempt.ok = !this.down(target.url, attempt);
    if (!attempt.ok) return { ok: false, error: 'connect ECONNREFUSED', retryable: true, durationMs: 1 };
    return { ok: true, status: 200, retryable: false, durationMs: 1 };
  };

  delivered(url?: string): Attempt[] {
    return this.attempts.filter((a) => (url === undefined || a.url === url) && a.ok === true);
  }

  idsTo(url: string): string[] {
    return this.attempts.filter((a) => a.url === url).map((a) => a.id);
  }
}

export function target(overrides: Partial<NotifyTarget> = {}): NotifyTarget {
  return {
    name: 'vnfm',
    url: 'http://127.0.0.1:1/failure',
    format: 'aodh',
    // Generous: an in-process consumer on a loaded machine may answer late, and a delivery that times
    // out is sent again (a duplicate the tests would count).
    timeoutMilliseconds: 5000,
    projects: [],
    ...overrides,
  };
}

export function policy(
  actions: Partial<FaultPolicy['spec']['actions']> = {},
  nova: Partial<NonNullable<FaultPolicy['spec']['actions']['nova']>> = {},
): FaultPolicy {
  return {
    apiVersion: 'doctor.io/v1alpha1',
    kind: 'FaultPolicy',
    metadata: { name: 'compute-hosts' },
    spec: {
      nodeSelector: { matchLabels: { compute: 'true' } },
      ...defaultedSpecFields(),
      actions: {
        nova: {
          cloudSecretRef: { name: 'openstack-clouds', key: 'clouds.yaml' },
          cloud: 'openstack',
          forceDown: true,
          resetServers: true,
          disabledReason: 'doctor: host down',
          unforceOnRecovery: true,
          ...nova,
        },
        node: { taint: true },
        notify: [target()],
        ...actions,
      },
    },
  };
}

export function decision(faultId = 'f00dfeedf00dfeed', declaredAt = new Date()) {
  const t = declaredAt.getTime();
  return {
    faultId,
    detectedAt: new Date(t - 30).toISOString(),
    firstReportReceivedAt: new Date(t - 20).toISOString(),
    declaredAt: new Date(t).toISOString(),
    reopened: false,
    reason: 'quorum of 2 observers',
  };
}

/** Resolves `gate` when `open()` is called. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Polls until `check` is true; fails after `ms`. */
export async function eventually(check: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

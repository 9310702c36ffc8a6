// Connects planned maintenance to the cluster on the leader: reads what each host wants from the
// informer caches (HostHealth spec.maintenance, the Node's cordon, the policy), writes the workflow's
// record to HostHealth status through the ordered status writer, records Events, signs and delivers
// notifications with the consumers' keys, and answers consumers on the inspector port.
import type * as k8s from '@kubernetes/client-node';
import { MaintenanceConditionType } from '../api/conditions.js';
import {
  maintenanceSteps,
  type HostMaintenanceSpec,
  type MaintenancePolicy,
  type MaintenanceStatus,
} from '../api/maintenance-types.js';
import { groupVersion, type FaultPolicy, type HostHealth, type NotifyTarget } from '../api/types.js';
import { MaintenanceManager, type HostView } from '../maintenance/manager.js';
import { failureDuringMaintenance } from '../maintenance/fault-watch.js';
import { maintenanceEventReasons } from '../api/maintenance-event-reasons.js';
import { defaultTiming, type MaintenancePorts, type MaintenanceTiming } from '../maintenance/ports.js';
import { maintenanceAnswerRouter } from '../maintenance/answer-http.js';
import { deliver, type DeliveryTarget } from '../notify/index.js';
import type { NovaMaintenanceApi } from '../openstack/index.js';
import { NovaClientCache, openStackNovaFactory } from '../remediation/nova-clients.js';
import type { NovaFactory, SecretReader } from '../remediation/ports.js';
import { agentsFor, HmacKeys } from '../remediation/targets.js';
import type { ReadCache } from '../runtime/read-cache.js';
import { errorText } from '../util/error-text.js';
import type { LeaderWiringDeps } from './leader-wiring-deps.js';
import { namespaceSecretReader } from './remediation-adapters.js';

type SyncedCache<T> = ReadCache<T> & { readonly hasSynced: boolean };

export interface MaintenanceWiringDeps extends LeaderWiringDeps {
  /** The informer caches; hasSynced is false until a LIST has succeeded. */
  nodes: SyncedCache<k8s.V1Node>;
  hostHealths: SyncedCache<HostHealth>;
  policies: SyncedCache<FaultPolicy>;
  /** Base URL consumers answer at (the inspector's Service). */
  replyBaseUrl: () => string;
  timing?: Partial<MaintenanceTiming>;
  /** Builds Nova clients; the real OpenStack client by default. */
  novaFactory?: NovaFactory;
}

export const maintenancePolicyDefaults: MaintenancePolicy = {
  followNodeCordon: true,
  maxParallelMigrations: 8,
  migrationTimeoutSeconds: 900,
};

const hostSpecDefaults: HostMaintenanceSpec = { enabled: false, maxWaitSeconds: 60, migration: 'live' };
const resyncMs = 10_000;

/** The record as a merge patch: fields it lacks are nulled, so nothing of an earlier session survives. */
export function recordPatch(record: MaintenanceStatus): Record<string, unknown> {
  const optional = [
    'answersDeadline',
    'hostEmptyTime',
    'completedTime',
    'serviceWasDown',
    'servers',
  ] as const;
  const patch: Record<string, unknown> = { ...record };
  for (const key of optional) patch[key] ??= null;
  patch.steps = Object.fromEntries(maintenanceSteps.map((name) => [name, record.steps?.[name] ?? null]));
  return patch;
}

function isMaintenanceApi(nova: unknown): nova is NovaMaintenanceApi {
  return typeof (nova as Partial<NovaMaintenanceApi>).liveMigrateServer === 'function';
}

/**
 * A consumer's HMAC key and the connection pool trusting its caBundle, as remediation sends them. Both
 * are read through the secret reader at each use (it caches and refreshes within seconds), so a rotated
 * key reaches a session that runs for hours, and the answers it signs are checked with it too.
 */
export function consumerCredentials(secrets: SecretReader) {
  const keyFor = (target: NotifyTarget) => new HmacKeys(secrets).keyFor(target);
  return {
    keyFor,
    async deliveryTarget(target: NotifyTarget): Promise<DeliveryTarget> {
      const hmacKey = await keyFor(target);
      const agents = await agentsFor(target, secrets);
      return {
        url: target.url,
        ...(hmacKey !== undefined ? { hmacKey } : {}),
        ...(agents !== undefined ? { agents } : {}),
      };
    },
  };
}

export interface WantedHosts {
  views: HostView[];
  /** Hosts whose Node is not in the cache (deleted, or not yet seen): left as they are. */
  unseen: Set<string>;
  /** Hosts of a paused policy: their maintenance is stopped where it is, to resume on unpause. */
  paused: Set<string>;
  /** The HostHealths of hosts under an active policy with Nova actions. */
  hosts: HostHealth[];
}

/**
 * What every host wants now, from the caches. Undefined while any cache has no complete LIST: every Node
 * would look uncordoned, or every host look released, and maintenance would end. A host whose Node is
 * missing is unseen rather than uncordoned, so deleting a Node never runs the exit steps.
 */
export function hostViews(
  caches: Pick<MaintenanceWiringDeps, 'hostHealths' | 'policies' | 'nodes'>,
): WantedHosts | undefined {
  if (![caches.nodes, caches.hostHealths, caches.policies].every((c) => c.hasSynced)) return undefined;
  const wanted: WantedHosts = { views: [], unseen: new Set(), paused: new Set(), hosts: [] };
  for (const hostHealth of caches.hostHealths.list()) {
    const policy = caches.policies.get(hostHealth.spec?.policy ?? '');
    if (policy === undefined || policy.spec.actions.nova === undefined) continue;
    if (policy.spec.paused) {
      wanted.paused.add(hostHealth.metadata.name);
      continue;
    }
    wanted.hosts.push(hostHealth);
    const node = caches.nodes.get(hostHealth.metadata.name);
    if (node === undefined) {
      wanted.unseen.add(hostHealth.metadata.name);
      continue;
    }
    const status = hostHealth.status;
    wanted.views.push({
      node: hostHealth.metadata.name,
      novaHost: status?.novaHost ?? hostHealth.metadata.name,
      ...(status?.novaServiceId !== undefined ? { serviceId: status.novaServiceId } : {}),
      policyName: policy.metadata.name,
      policy: { ...maintenancePolicyDefaults, ...policy.spec.maintenance },
      targets: policy.spec.actions.notify,
      spec: { ...hostSpecDefaults, ...hostHealth.spec.maintenance },
      cordoned: node.spec?.unschedulable === true,
      ...(status?.maintenance !== undefined ? { prior: status.maintenance } : {}),
    });
  }
  return wanted;
}

export class LeaderMaintenance {
  private manager: MaintenanceManager | undefined;
  /** This leadership term's Nova clients: closed on step-down, so their sockets and timers go too. */
  private novaClients: NovaClientCache | undefined;
  private timer: NodeJS.Timeout | undefined;
  readonly router;

  constructor(private readonly deps: MaintenanceWiringDeps) {
    this.router = maintenanceAnswerRouter({
      accepting: () => this.manager !== undefined,
      keyFor: (session, consumer) => this.manager?.keyFor(session, consumer) ?? Promise.resolve(undefined),
      answer: (session, consumer, answer) =>
        this.manager?.answer(session, consumer, answer) ??
        Promise.resolve({ status: 404, message: 'not leading' } as const),
    });
  }

  activate(): void {
    const secrets = namespaceSecretReader(this.deps.core, this.deps.namespace);
    this.novaClients?.closeAll();
    const novaClients = new NovaClientCache(secrets, this.deps.novaFactory ?? openStackNovaFactory());
    this.novaClients = novaClients;
    const credentials = consumerCredentials(secrets);
    const { log, events, hostStatus } = this.deps;
    const ports: MaintenancePorts = {
      writeStatus: (node, record, condition) => {
        const status: Record<string, unknown> = { maintenance: recordPatch(record) };
        // Only this condition: the status writer merges it by type into the host's list.
        if (condition !== undefined)
          status.conditions = [{ type: MaintenanceConditionType.ReadyForMaintenance, ...condition }];
        return hostStatus.write(node, status);
      },
      event: (node, type, reason, message) =>
        events.record({ apiVersion: groupVersion, kind: 'HostHealth', name: node }, type, reason, message),
      deliver: async (target, notification) => {
        let to: DeliveryTarget;
        try {
          to = await credentials.deliveryTarget(target);
        } catch (err) {
          // A key or CA bundle that cannot be read now may be readable on the next attempt.
          return { ok: false, error: errorText(err), retryable: true, durationMs: 0 };
        }
        return deliver(to, notification, { timeoutMs: target.timeoutMilliseconds });
      },
      now: Date.now,
      log,
    };
    this.manager = new MaintenanceManager({
      ports,
      timing: { ...defaultTiming, ...this.deps.timing },
      novaFor: async (policyName) => {
        const policy = this.deps.policies.get(policyName);
        if (policy === undefined) throw new Error(`FaultPolicy ${policyName} not found`);
        const nova = await novaClients.get(policy);
        if (!isMaintenanceApi(nova)) throw new Error('the Nova client cannot migrate servers');
        return nova;
      },
      keyFor: credentials.keyFor,
      replyBaseUrl: this.deps.replyBaseUrl,
    });
    clearInterval(this.timer);
    this.timer = setInterval(() => this.sync(), resyncMs);
    this.timer.unref();
    this.sync();
  }

  /** Looks at every host again; called on Node, HostHealth and policy changes. */
  sync(): void {
    if (this.manager === undefined) return;
    const wanted = hostViews(this.deps);
    if (wanted === undefined) return;
    for (const hostHealth of wanted.hosts) this.reportFailure(hostHealth);
    this.manager.sync(wanted.views, wanted.unseen, wanted.paused);
  }

  /** A host failing during maintenance is shown (Warning Event; repeats are counted by the recorder). */
  private reportFailure(hostHealth: HostHealth): void {
    const record = hostHealth.status?.maintenance;
    if (record === undefined || record.phase === 'Complete') return;
    const message = failureDuringMaintenance(hostHealth.metadata.name, hostHealth.status?.observers);
    if (message === undefined) return;
    void this.deps.events.record(
      { apiVersion: groupVersion, kind: 'HostHealth', name: hostHealth.metadata.name },
      'Warning',
      maintenanceEventReasons.faultDuringMaintenance,
      message,
    );
  }

  /** Tests and benchmarks: settles when the host's job has nothing left to do now. */
  settled(node: string): Promise<void> {
    return this.manager?.settled(node) ?? Promise.resolve();
  }

  stop(): void {
    clearInterval(this.timer);
    this.manager?.stop();
    this.manager = undefined;
    this.novaClients?.closeAll();
    this.novaClients = undefined;
  }
}

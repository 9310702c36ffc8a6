// Reconciles one FaultPolicy: its monitor ConfigMap and DaemonSet, one HostHealth per node it owns, and
// its status. Level-triggered and idempotent: it compares the desired objects with the informer caches and
// writes only what differs, so a restarted operator converges to the same objects without duplicates.
import * as k8s from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import {
  crdApi,
  groupVersion,
  type FaultPolicy,
  type FaultPolicyStatus,
  type HostHealth,
} from '../api/types.js';
import type { Logger } from '../observability/logger.js';
import { ConditionReason, ConditionType } from '../api/conditions.js';
import { describeApiError, isNotFound } from '../runtime/api-errors.js';
import { setCondition } from './conditions.js';
import type { ReconcileResult } from '../runtime/controller.js';
import { desiredMonitorConfigMap } from './desired/configmap.js';
import { desiredMonitorDaemonSet, type MonitorDeploymentOptions } from './desired/daemonset.js';
import { desiredHostHealth, novaHostOf } from './desired/hosthealth.js';
import { monitorConfig, resolveMonitoredHosts } from './desired/monitor-config.js';
import { cleanupFinalizer, fieldManager } from './desired/names.js';
import { assignNodes, type NodeConflict } from './desired/node-assignment.js';
import type { EventRecorder } from '../runtime/event-recorder.js';
import { mapWithConcurrency } from '../util/concurrency.js';
import { applyPolicyStatus } from './policy-status.js';
import type { ReadCache } from '../runtime/read-cache.js';

export interface PolicyCaches {
  policies: ReadCache<FaultPolicy>;
  nodes: ReadCache<k8s.V1Node>;
  hostHealths: ReadCache<HostHealth>;
  daemonSets: ReadCache<k8s.V1DaemonSet>;
}

/** Lets go of a host whose HostHealth goes away while a fault's remediation is in place (remediation
 * wiring: un-force the Nova service, remove the taint). */
export interface HostRelease {
  needsRelease(hostHealth: HostHealth): boolean;
  /** Says what it did; throws when a call failed (the reconcile retries). */
  releaseHost(policy: FaultPolicy, hostHealth: HostHealth): Promise<string>;
}

export interface ReconcilerSafety {
  hostRelease?: HostRelease;
  /** Whether every cache the reconciler decides from holds a complete LIST: no deletion otherwise. */
  cachesSynced?: () => boolean;
  /** How long a failing release is retried before the finalizer is removed anyway (with a Warning). */
  releaseGiveUpMs?: number;
}

export { cleanupFinalizer };
/** Conditions of the FaultPolicy status that the reconciler owns. */
export const reconcilerConditions: readonly string[] = [
  ConditionType.Ready,
  ConditionType.MonitorsAvailable,
  ConditionType.NodeConflict,
];
export const appliedHashAnnotation = 'doctor.io/applied-hash';

export interface PolicyReconcilerOptions {
  namespace: string;
  inspectorUrl: string;
  monitor: Omit<MonitorDeploymentOptions, 'namespace'>;
}

const applyOptions = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply);
const mergeOptions = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
/** HostHealth states that count towards a policy's unhealthyHosts. */
export const unhealthyStates: ReadonlySet<string> = new Set(['Suspect', 'Down', 'Recovering']);

function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

const noRelease: HostRelease = { needsRelease: () => false, releaseHost: () => Promise.resolve('') };

export class PolicyReconciler {
  private readonly hostRelease: HostRelease;
  private readonly cachesSynced: () => boolean;
  private readonly releaseGiveUpMs: number;
  /** HostHealth uid -> when releasing its host first failed. */
  private readonly releaseFailingSince = new Map<string, number>();

  constructor(
    private readonly api: { core: k8s.CoreV1Api; apps: k8s.AppsV1Api; custom: k8s.CustomObjectsApi },
    private readonly caches: PolicyCaches,
    private readonly options: PolicyReconcilerOptions,
    private readonly events: EventRecorder,
    private readonly log: Logger,
    safety: ReconcilerSafety = {},
  ) {
    this.hostRelease = safety.hostRelease ?? noRelease;
    this.cachesSynced = safety.cachesSynced ?? (() => true);
    this.releaseGiveUpMs = safety.releaseGiveUpMs ?? 120_000;
  }

  async reconcile(name: string): Promise<ReconcileResult> {
    const policy = this.caches.policies.get(name);
    if (!policy) {
      // Deleted without our finalizer (or it was removed): its HostHealths go with garbage collection.
      await this.finalizeHostHealths(undefined, this.hostHealthsOf(name, true));
      return {};
    }
    if (policy.metadata.deletionTimestamp) {
      await this.finalize(policy);
      return {};
    }
    try {
      await this.ensurePolicyFinalizer(policy);
      return await this.converge(policy);
    } catch (err) {
      await this.events.record(this.target(policy), 'Warning', 'ReconcileFailed', describeApiError(err));
      await this.writeStatus(policy, (status) => ({
        ...status,
        conditions: setCondition(
          status.conditions,
          {
            type: ConditionType.Ready,
            status: 'False',
            reason: ConditionReason.ReconcileFailed,
            message: describeApiError(err),
          },
          policy.metadata.generation,
        ),
      })).catch(() => undefined);
      throw err;
    }
  }

  private async converge(policy: FaultPolicy): Promise<ReconcileResult> {
    const name = policy.metadata.name;
    const holders = new Map(
      this.caches.hostHealths.list().map((h) => [h.metadata.name, h.spec?.policy ?? '']),
    );
    const assignment = assignNodes(this.caches.policies.list(), this.caches.nodes.list(), holders).get(
      name,
    ) ?? {
      owned: [],
      conflicts: [],
    };
    const { hosts, withoutAddress } = resolveMonitoredHosts(policy, assignment.owned);
    await this.applyConfigMap(policy, monitorConfig(policy, hosts, this.options.inspectorUrl));
    const daemonSet = await this.applyDaemonSet(policy);
    const hostResult = await this.convergeHostHealths(policy, assignment.owned);
    await this.reportConflicts(policy, assignment.conflicts);

    const ownedNames = new Set(assignment.owned.map((n) => n.metadata?.name ?? ''));
    const unhealthy = this.caches.hostHealths
      .list()
      .filter((h) => ownedNames.has(h.metadata.name) && unhealthyStates.has(h.status?.state ?? '')).length;
    const monitors = monitorsAvailability(daemonSet);
    const converged = hostResult.waitingFor.length === 0;
    // Ready means the operator has done its part: every object of the policy exists as desired. Whether
    // the monitors it scheduled are up is MonitorsAvailable, which follows the DaemonSet controller.
    const readyMessage = !converged
      ? `waiting for HostHealth of ${hostResult.waitingFor.slice(0, 5).join(', ')} to be released by another policy`
      : [
          `monitoring ${ownedNames.size} hosts`,
          monitors.message,
          withoutAddress.length > 0
            ? `no ${policy.spec.monitor.addressType} on ${withoutAddress.slice(0, 5).join(', ')}`
            : '',
          policy.spec.paused ? 'paused: no remediation' : '',
        ]
          .filter(Boolean)
          .join('; ');
    await this.writeStatus(policy, (status) => {
      let conditions = setCondition(
        status.conditions,
        { type: ConditionType.MonitorsAvailable, ...monitors },
        policy.metadata.generation,
      );
      conditions = setCondition(
        conditions,
        {
          type: ConditionType.Ready,
          status: converged ? 'True' : 'False',
          reason: converged ? ConditionReason.Reconciled : ConditionReason.Converging,
          message: readyMessage,
        },
        policy.metadata.generation,
      );
      conditions = setCondition(
        conditions,
        assignment.conflicts.length > 0
          ? {
              type: ConditionType.NodeConflict,
              status: 'True',
              reason: ConditionReason.SelectedByOtherPolicy,
              message: conflictMessage(assignment.conflicts),
            }
          : {
              type: ConditionType.NodeConflict,
              status: 'False',
              reason: ConditionReason.NoConflict,
              message: 'no node is selected by another policy',
            },
        policy.metadata.generation,
      );
      return {
        ...status,
        observedGeneration: policy.metadata.generation,
        monitoredHosts: ownedNames.size,
        unhealthyHosts: unhealthy,
        daemonSet: `${this.options.namespace}/${daemonSet.metadata?.name ?? ''}`,
        conditions,
      };
    });
    // The DaemonSet's own status changes wake us; the delay covers HostHealths held by another policy.
    return converged ? {} : { requeueAfterMs: 2_000 };
  }

  private async applyConfigMap(policy: FaultPolicy, config: ReturnType<typeof monitorConfig>): Promise<void> {
    const desired = desiredMonitorConfigMap(
      policy,
      this.options.namespace,
      config,
      this.options.monitor.namePrefix,
    );
    const hash = hashOf(desired);
    desired.metadata!.annotations = { [appliedHashAnnotation]: hash };
    const key = `${this.options.namespace}/${desired.metadata!.name!}`;
    if (this.appliedConfigMaps.get(key) === hash) return;
    await this.api.core.patchNamespacedConfigMap(
      {
        name: desired.metadata!.name!,
        namespace: this.options.namespace,
        body: desired,
        fieldManager,
        force: true,
      },
      applyOptions,
    );
    this.appliedConfigMaps.set(key, hash);
  }

  /** HostHealths applied lately, so a reconcile running before the watch delivers them skips them. */
  private readonly recentlyApplied = new Map<string, { key: string; at: number }>();

  /** ConfigMaps are not watched (their content is ours alone); remember what was applied instead. */
  private readonly appliedConfigMaps = new Map<string, string>();

  private async applyDaemonSet(policy: FaultPolicy): Promise<k8s.V1DaemonSet> {
    const desired = desiredMonitorDaemonSet(policy, {
      ...this.options.monitor,
      namespace: this.options.namespace,
    });
    const hash = hashOf(desired);
    desired.metadata!.annotations = { [appliedHashAnnotation]: hash };
    const name = desired.metadata!.name!;
    const current = this.caches.daemonSets.get(name, this.options.namespace);
    if (current?.metadata?.annotations?.[appliedHashAnnotation] === hash) return current;
    const applied = await this.api.apps.patchNamespacedDaemonSet(
      { name, namespace: this.options.namespace, body: desired, fieldManager, force: true },
      applyOptions,
    );
    const verb = current ? 'Updated' : 'Created';
    this.log.info(`monitor DaemonSet ${verb.toLowerCase()}`, {
      policy: policy.metadata.name,
      daemonSet: name,
    });
    await this.events.record(
      this.target(policy),
      'Normal',
      `DaemonSet${verb}`,
      `${verb.toLowerCase()} monitor DaemonSet ${this.options.namespace}/${name}`,
    );
    return applied;
  }

  private async convergeHostHealths(
    policy: FaultPolicy,
    owned: k8s.V1Node[],
  ): Promise<{ waitingFor: string[] }> {
    const name = policy.metadata.name;
    const ownedNames = new Set<string>();
    const toApply: k8s.V1Node[] = [];
    const waitingFor: string[] = [];
    for (const node of owned) {
      const nodeName = node.metadata!.name!;
      ownedNames.add(nodeName);
      const existing = this.caches.hostHealths.get(nodeName);
      if (existing && existing.spec?.policy !== name) {
        waitingFor.push(nodeName); // another policy still holds it; it deletes it when it lets go
        continue;
      }
      if (existing?.metadata.deletionTimestamp) continue; // finalized below, then created anew
      const ownerOk = existing?.metadata.ownerReferences?.some((r) => r.uid === policy.metadata.uid);
      const finalizerOk = existing?.metadata.finalizers?.includes(cleanupFinalizer);
      const novaHost = novaHostOf(policy, node);
      if (!existing || !ownerOk || !finalizerOk || existing.status?.novaHost !== novaHost) toApply.push(node);
    }
    await this.finalizeHostHealths(policy, this.hostHealthsOf(name, true));
    const stale = this.caches.hostHealths
      .list()
      .filter(
        (h) => h.spec?.policy === name && !ownedNames.has(h.metadata.name) && !h.metadata.deletionTimestamp,
      );

    const created: string[] = [];
    await mapWithConcurrency(toApply, 32, async (node) => {
      const nodeName = node.metadata!.name!;
      const novaHost = novaHostOf(policy, node);
      const applyKey = `${policy.metadata.uid ?? ''}/${novaHost}`;
      const recent = this.recentlyApplied.get(nodeName);
      const cached = this.caches.hostHealths.get(nodeName);
      // The cache lags our own writes by a watch event; do not apply (or announce) the same thing twice.
      if (!cached && recent?.key === applyKey && Date.now() - recent.at < 30_000) return;
      const applied = (await this.api.custom.patchClusterCustomObject(
        {
          ...crdApi,
          plural: 'hosthealths',
          name: nodeName,
          body: desiredHostHealth(policy, nodeName),
          fieldManager,
          force: true,
        },
        applyOptions,
      )) as HostHealth;
      this.recentlyApplied.set(nodeName, { key: applyKey, at: Date.now() });
      // Decide from the object the API server just returned, not the cache: the inspector may have written
      // a state meanwhile, and the resourceVersion precondition refuses the patch if it did.
      if (!applied.status?.state || applied.status.novaHost !== novaHost) {
        const status = applied.status?.state
          ? { novaHost }
          : { novaHost, state: 'Unknown', message: 'no monitor report yet' };
        await this.api.custom.patchClusterCustomObjectStatus(
          {
            ...crdApi,
            plural: 'hosthealths',
            name: nodeName,
            body: { metadata: { resourceVersion: applied.metadata.resourceVersion }, status },
          },
          mergeOptions,
        );
      }
      if (!cached && !recent) created.push(nodeName);
    });
    if (created.length > 0) {
      this.log.info('HostHealth objects created', { policy: name, count: created.length });
      await this.events.record(
        this.target(policy),
        'Normal',
        'HostHealthCreated',
        `created HostHealth for ${created.length} node(s): ${summarize(created.sort())}`,
      );
    }

    // A cache without a complete LIST (a refused or failed one) would make every host look stale.
    if (stale.length > 0 && !this.cachesSynced()) {
      this.log.warn('not deleting HostHealths while a cache is not synced', {
        policy: name,
        wouldDelete: stale.length,
      });
      return { waitingFor };
    }
    const deleted: string[] = [];
    await mapWithConcurrency(stale, 16, async (hostHealth) => {
      await this.announceOpenFaultDeletion(policy, hostHealth);
      try {
        await this.api.custom.deleteClusterCustomObject({
          ...crdApi,
          plural: 'hosthealths',
          name: hostHealth.metadata.name,
          body: { preconditions: { uid: hostHealth.metadata.uid } },
        });
        deleted.push(hostHealth.metadata.name);
        this.recentlyApplied.delete(hostHealth.metadata.name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    });
    if (deleted.length > 0) {
      this.log.info('HostHealth objects deleted: nodes left the policy', { policy: name, nodes: deleted });
      await this.events.record(
        this.target(policy),
        'Normal',
        'HostHealthDeleted',
        `node(s) no longer selected: ${summarize(deleted.sort())}`,
      );
    }
    return { waitingFor };
  }

  private async reportConflicts(policy: FaultPolicy, conflicts: NodeConflict[]): Promise<void> {
    if (conflicts.length === 0) return;
    await this.events.record(this.target(policy), 'Warning', 'NodeConflict', conflictMessage(conflicts));
  }

  /** The reconciler's part of the policy status, applied server-side as its own field manager: the
   * inspector owns other conditions (StormActive) and a merge patch of the whole list would erase them. */
  private async writeStatus(
    policy: FaultPolicy,
    update: (status: FaultPolicyStatus) => FaultPolicyStatus,
  ): Promise<void> {
    const current = this.caches.policies.get(policy.metadata.name) ?? policy;
    const before = current.status ?? {};
    const after = update(before);
    if (JSON.stringify(before) === JSON.stringify(after)) return;
    await applyPolicyStatus(this.api.custom, policy.metadata.name, fieldManager, {
      ...(after.observedGeneration !== undefined ? { observedGeneration: after.observedGeneration } : {}),
      ...(after.monitoredHosts !== undefined ? { monitoredHosts: after.monitoredHosts } : {}),
      ...(after.unhealthyHosts !== undefined ? { unhealthyHosts: after.unhealthyHosts } : {}),
      ...(after.daemonSet !== undefined ? { daemonSet: after.daemonSet } : {}),
      conditions: (after.conditions ?? []).filter((c) => reconcilerConditions.includes(c.type)),
    });
  }

  /** Our finalizer on the policy: its hosts are let go of (Nova un-forced, taint removed) before the
   * policy, and with it the cloud credentials that reach Nova, goes away. */
  private async ensurePolicyFinalizer(policy: FaultPolicy): Promise<void> {
    const finalizers = policy.metadata.finalizers ?? [];
    if (finalizers.includes(cleanupFinalizer)) return;
    await this.patchFinalizers('faultpolicies', policy, [...finalizers, cleanupFinalizer]);
  }

  private async finalize(policy: FaultPolicy): Promise<void> {
    const finalizers = policy.metadata.finalizers ?? [];
    if (!finalizers.includes(cleanupFinalizer)) return;
    await this.finalizeHostHealths(policy, this.hostHealthsOf(policy.metadata.name, false));
    await this.patchFinalizers(
      'faultpolicies',
      policy,
      finalizers.filter((f) => f !== cleanupFinalizer),
    );
    this.log.info('policy cleanup done; finalizer removed', { policy: policy.metadata.name });
  }

  private hostHealthsOf(policy: string, deletingOnly: boolean): HostHealth[] {
    return this.caches.hostHealths
      .list()
      .filter(
        (h) =>
          h.spec?.policy === policy &&
          h.metadata.finalizers?.includes(cleanupFinalizer) &&
          (!deletingOnly || h.metadata.deletionTimestamp),
      );
  }

  /** Lets go of each host (bounded in time per host), then removes our finalizer from its HostHealth. */
  private async finalizeHostHealths(
    policy: FaultPolicy | undefined,
    hostHealths: HostHealth[],
  ): Promise<void> {
    await mapWithConcurrency(hostHealths, 8, async (hostHealth) => {
      if (this.hostRelease.needsRelease(hostHealth)) await this.release(policy, hostHealth);
      // Gone once the finalizer is off: a node still selected gets a new HostHealth at once.
      this.recentlyApplied.delete(hostHealth.metadata.name);
      await this.patchFinalizers(
        'hosthealths',
        hostHealth,
        (hostHealth.metadata.finalizers ?? []).filter((f) => f !== cleanupFinalizer),
      );
    });
  }

  private async release(policy: FaultPolicy | undefined, hostHealth: HostHealth): Promise<void> {
    const name = hostHealth.metadata.name;
    const uid = hostHealth.metadata.uid ?? name;
    const targets = [hostHealthTarget(hostHealth), ...(policy ? [this.target(policy)] : [])];
    const say = (type: 'Normal' | 'Warning', reason: string, message: string) =>
      Promise.all(targets.map((t) => this.events.record(t, type, reason, message)));
    if (!policy) {
      await say(
        'Warning',
        'HostNotReleased',
        `HostHealth ${name} deleted after its policy ${hostHealth.spec.policy}: its cloud credentials are gone, so a forced-down Nova service is left as it is; the Node taint doctor.io/host-down may remain`,
      );
      return;
    }
    try {
      const message = await this.hostRelease.releaseHost(policy, hostHealth);
      this.releaseFailingSince.delete(uid);
      await say('Normal', 'HostReleased', `HostHealth ${name} deleted during a fault: ${message}`);
    } catch (err) {
      const since = this.releaseFailingSince.get(uid) ?? Date.now();
      this.releaseFailingSince.set(uid, since);
      if (Date.now() - since < this.releaseGiveUpMs) {
        await say(
          'Warning',
          'HostReleaseFailed',
          `letting go of host ${name} failed, retrying: ${describeApiError(err)}`,
        );
        throw err;
      }
      this.releaseFailingSince.delete(uid);
      await say(
        'Warning',
        'HostReleaseAbandoned',
        `gave up letting go of host ${name} after ${Math.round((Date.now() - since) / 1000)} s (${describeApiError(err)}): check its Nova service and the Node taint doctor.io/host-down by hand`,
      );
    }
  }

  /** A HostHealth with an open fault is never deleted silently: say why, on it and on its policy. */
  private async announceOpenFaultDeletion(policy: FaultPolicy, hostHealth: HostHealth): Promise<void> {
    const state = hostHealth.status?.state ?? '';
    if (!unhealthyStates.has(state) && (hostHealth.status?.activeFaults ?? 0) === 0) return;
    const message = `node ${hostHealth.metadata.name} is no longer selected by policy ${policy.metadata.name} (node deleted or relabelled) while ${state}: deleting its HostHealth${this.hostRelease.needsRelease(hostHealth) ? '; the Nova service is un-forced and the taint removed first' : ''}`;
    await Promise.all(
      [hostHealthTarget(hostHealth), this.target(policy)].map((t) =>
        this.events.record(t, 'Warning', 'HostHealthDeletedDuringFault', message),
      ),
    );
  }

  private async patchFinalizers(
    plural: 'faultpolicies' | 'hosthealths',
    object: { metadata: { name: string; resourceVersion?: string } },
    finalizers: string[],
  ): Promise<void> {
    try {
      await this.api.custom.patchClusterCustomObject(
        {
          ...crdApi,
          plural,
          name: object.metadata.name,
          // The resourceVersion makes this a compare-and-swap: another finalizer added meanwhile is kept.
          body: { metadata: { finalizers, resourceVersion: object.metadata.resourceVersion } },
        },
        mergeOptions,
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private target(policy: FaultPolicy) {
    return eventTarget('FaultPolicy', policy);
  }
}

const hostHealthTarget = (hostHealth: HostHealth) => eventTarget('HostHealth', hostHealth);

function eventTarget(
  kind: 'FaultPolicy' | 'HostHealth',
  object: { metadata: { name: string; uid?: string } },
) {
  return { apiVersion: groupVersion, kind, name: object.metadata.name, uid: object.metadata.uid };
}

function monitorsAvailability(daemonSet: k8s.V1DaemonSet): {
  status: 'True' | 'False';
  reason: string;
  message: string;
} {
  const s = daemonSet.status;
  const desired = s?.desiredNumberScheduled ?? 0;
  const available = s?.numberAvailable ?? 0;
  const current = (s?.observedGeneration ?? 0) >= (daemonSet.metadata?.generation ?? 0);
  if (!current)
    return {
      status: 'False',
      reason: ConditionReason.Rolling,
      message: 'the DaemonSet controller has not seen the latest spec yet',
    };
  if (desired === 0)
    return { status: 'False', reason: ConditionReason.NoMonitors, message: 'no node runs a monitor yet' };
  if (available < desired) {
    return {
      status: 'False',
      reason: ConditionReason.MonitorsStarting,
      message: `${available} of ${desired} monitors available`,
    };
  }
  return {
    status: 'True',
    reason: ConditionReason.AllAvailable,
    message: `${available} of ${desired} monitors available`,
  };
}

function conflictMessage(conflicts: NodeConflict[]): string {
  const shown = conflicts
    .slice(0, 5)
    .map((c) => `${c.node} (also selected by ${c.others.join(', ')}; held by ${c.owner})`);
  const more = conflicts.length > 5 ? ` and ${conflicts.length - 5} more` : '';
  return `nodes selected by more than one policy: ${shown.join('; ')}${more}`;
}

function summarize(names: string[]): string {
  return names.length <= 10
    ? names.join(', ')
    : `${names.slice(0, 10).join(', ')} and ${names.length - 10} more`;
}

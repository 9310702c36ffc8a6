// Connects the inspector's decisions to a RemediationExecutor built on the Kubernetes adapters. A new
// executor is made each time this replica starts leading (a stopped one cannot be reused), so a replica
// that loses the lease stops acting at once and a re-elected one resumes from HostHealth status.
import type * as k8s from '@kubernetes/client-node';
import type { FaultPolicy } from '../api/types.js';
import type { Logger } from '../observability/logger.js';
import { RemediationExecutor } from '../remediation/index.js';
import type { EventRecorder } from './event-recorder.js';
import type { HostDownInput, HostRecoveredInput, Remediation } from './inspector/service.js';
import type { CoalescingStatusWriter } from './inspector/status-writer.js';
import type { HostRelease } from './policy-reconciler.js';
import { needsRelease } from '../remediation/host-release.js';
import type { RemediationView } from '../remediation/status.js';
import type { HostHealth } from '../api/types.js';
import {
  hostHealthStatusReader,
  hostHealthStatusWriter,
  namespaceSecretReader,
  nodeTainter,
} from './remediation-adapters.js';

export interface RemediationWiringDeps {
  core: k8s.CoreV1Api;
  custom: k8s.CustomObjectsApi;
  namespace: string;
  hostStatus: CoalescingStatusWriter;
  events: EventRecorder;
  log: Logger;
}

export class LeaderRemediation implements Remediation, HostRelease {
  private executor: RemediationExecutor | undefined;

  constructor(private readonly deps: RemediationWiringDeps) {}

  /** Called when this replica starts leading. */
  activate(): void {
    this.executor = new RemediationExecutor({
      statusWriter: hostHealthStatusWriter(this.deps.hostStatus),
      statusReader: hostHealthStatusReader(this.deps.custom),
      secrets: namespaceSecretReader(this.deps.core, this.deps.namespace),
      tainter: nodeTainter(this.deps.core),
      events: this.deps.events,
      logger: this.deps.log,
    });
  }

  /** Logs in to Keystone and negotiates the Nova microversion before a fault needs it. */
  policyChanged(policy: FaultPolicy): void {
    if (!this.executor || policy.metadata.deletionTimestamp) return;
    this.executor.warmUp(policy).catch((err: unknown) =>
      this.deps.log.warn('could not prepare the Nova client of the policy (will retry at fault time)', {
        policy: policy.metadata.name,
        error: err instanceof Error ? err.message : String(err),
      }),
    );
  }

  policyDeleted(name: string): void {
    this.executor?.forgetPolicy(name);
  }

  async hostDown(input: HostDownInput): Promise<void> {
    if (!this.executor) throw new Error('remediation is not active: this replica is not the leader');
    const result = await this.executor.hostDown({
      policy: input.policy,
      node: input.node,
      novaHost: input.novaHost,
      decision: {
        faultId: input.decision.faultId,
        detectedAt: input.decision.detectedAt,
        firstReportReceivedAt: input.decision.firstReportReceivedAt,
        declaredAt: input.decision.declaredAt,
        reopened: input.decision.reopened,
        reason: input.decision.reason,
      },
      ...(input.injectedAt ? { injectedAt: input.injectedAt } : {}),
    });
    this.deps.log.info('host-down remediation finished its steps', { host: input.node, ...result });
  }

  async hostRecovered(input: HostRecoveredInput): Promise<void> {
    if (!this.executor) throw new Error('remediation is not active: this replica is not the leader');
    const result = await this.executor.hostRecovered({
      policy: input.policy,
      node: input.node,
      novaHost: input.novaHost,
      faultId: input.decision.faultId,
      at: input.decision.at,
    });
    this.deps.log.info('recovery actions finished', { host: input.node, ...result });
  }

  needsRelease(hostHealth: HostHealth): boolean {
    return needsRelease(hostHealth.status as RemediationView | undefined);
  }

  /** The HostHealth of a host under remediation goes away: undo what is left (see host-release.ts). */
  async releaseHost(policy: FaultPolicy, hostHealth: HostHealth): Promise<string> {
    if (!this.executor) throw new Error('remediation is not active: this replica is not the leader');
    const name = hostHealth.metadata.name;
    return this.executor.releaseHost({ policy, node: name, novaHost: hostHealth.status?.novaHost ?? name });
  }

  /** Leadership lost or shutdown: the executor stops acting at once; this resolves when it has written
   * what its in-flight steps did. */
  async stop(): Promise<void> {
    const executor = this.executor;
    this.executor = undefined;
    await executor?.stop();
  }
}

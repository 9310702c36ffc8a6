// Wires the operator together: informers (always running, so a standby has warm caches for a fast
// takeover), leader election, the policy controller (only on the leader), periodic resync, and the
// health/metrics server.
import * as k8s from '@kubernetes/client-node';
import type { Server } from 'node:http';
import { crdApi, type FaultPolicy, type HostHealth } from '../api/types.js';
import type { Logger } from '../observability/logger.js';
import { createOperatorMetrics, type OperatorMetrics } from '../observability/metrics.js';
import { Controller } from '../runtime/controller.js';
import { managedByLabel, managedByValue, policyLabel } from './desired/names.js';
import { EventRecorder } from '../runtime/event-recorder.js';
import { createHealthApp, createMetricsApp, listen } from '../runtime/health-server.js';
import type { BindAddress } from './bind-address.js';
import type { MonitorPodOptions } from './desired/daemonset.js';
import { HostHealthChanges } from './hosthealth-changes.js';
import { NodeChanges } from './node-changes.js';
import { keepPolicyFields, nodeEventBatchMs, nodePolicyPrune } from './node-fields.js';
import { WatchedResource } from '../runtime/informer.js';
import { LeaderElector } from '../runtime/leader-election.js';
import { LeaderPodLabel } from '../runtime/leader-label.js';
import { withTimeout } from '../remediation/job-context.js';
import { PolicyReconciler, type ReconcilerSafety } from './policy-reconciler.js';
import {
  anyOf,
  noAuthentication,
  staticTokenAuthentication,
  tokenReviewAuthentication,
  type Authenticator,
} from '../intake/authenticator.js';
import { createInspectorApp, hardenInspectorServer } from '../intake/http.js';
import type { InspectorLimits } from '../intake/limits.js';
import { InspectorService, type Remediation } from './inspector-service.js';
import { CoalescingStatusWriter } from '../runtime/coalescing-status-writer.js';
import { StaticTokenSource } from '../intake/static-token.js';
import { PolicyStatusWriter } from './policy-status.js';
import { LeaderRemediation } from './remediation-wiring.js';
import { ConditionType } from '../api/conditions.js';
import { createIntakeMetrics } from '../intake/metrics.js';
import { createRemediationMetrics } from '../remediation/metrics.js';
import { createInspectorMetrics } from './inspector-metrics.js';
import { NovaReachableConditions } from './nova-reachable.js';
import { HostConditionWriter } from './host-condition-writer.js';
import { LeaderMaintenance } from './maintenance-wiring.js';
import { rehearseFaultPath } from './fault-rehearsal.js';
import { rehearsalPeriodMs, Rehearsals } from './rehearsals.js';

export interface OperatorOptions {
  namespace: string;
  identity: string;
  inspectorUrl: string;
  monitorImage: string;
  monitorServiceAccount: string;
  /** How the monitor DaemonSets are named, pulled, scheduled and sized (names follow the chart's). */
  monitor?: MonitorPodOptions;
  /** /healthz and /readyz; also /metrics unless `metrics` names another listener. Host absent: every interface. */
  healthPort: number;
  healthHost?: string;
  /** A listener of its own for /metrics, or 'off'; absent: /metrics on the probes' listener. */
  metrics?: BindAddress | 'off';
  leaderElection: boolean;
  leaseName: string;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
  workers: number;
  resyncSeconds: number;
  inspectorPort: number;
  inspectorHost?: string;
  /** Ways monitors may authenticate: tokenreview (projected tokens), static (a Secret), none. */
  inspectorAuth: ('tokenreview' | 'static' | 'none')[];
  /** Secret (in the operator namespace) whose keys name external monitors' observers and hold their tokens. */
  inspectorTokenSecret?: string;
  /** This replica's Pod (in `namespace`): the leader labels it so the inspector Service routes to it. */
  podName?: string;
  /** How long a SIGTERM shutdown may take in all; each step gets a share of it. */
  shutdownSeconds?: number;
  inspectorLimits?: Partial<InspectorLimits>;
  /** Base URL consumers answer maintenance notifications at; default: the origin of inspectorUrl. */
  maintenanceReplyUrl?: string;
  /** Between two looks at a migration in Nova. */
  maintenancePollMs?: number;
}

export const monitorTokenAudience = 'doctor-inspector';

/** How long after an inspector decision the operator still counts as busy with it. */
export const quietAfterDecisionMs = 30_000;

/** How long a change of a policy's unhealthy count may wait, so a burst of changes costs one reconcile. */
export const unhealthyCountDebounceMs = 1000;

export class Operator {
  readonly metrics: OperatorMetrics = createOperatorMetrics();
  private readonly policies: WatchedResource<FaultPolicy & k8s.KubernetesObject>;
  private readonly nodes: WatchedResource<k8s.V1Node>;
  private readonly hostHealths: WatchedResource<HostHealth & k8s.KubernetesObject>;
  private readonly daemonSets: WatchedResource<k8s.V1DaemonSet>;
  private readonly policyController: Controller;
  private readonly elector: LeaderElector | undefined;
  private readonly leaderLabel: LeaderPodLabel | undefined;
  private readonly hostStatus: CoalescingStatusWriter;
  private readonly hostConditions: HostConditionWriter;
  private leading = false;
  /** The step-down in progress, so a shutdown waits for it rather than racing it. */
  private steppingDown: Promise<void> = Promise.resolve();
  /** start() in progress or done; a shutdown that comes during it waits for it, bounded. */
  private starting: Promise<void> = Promise.resolve();
  /** Set by stop(): a start() still running skips what is left (no lease, no leading). */
  private stopping = false;
  private readonly nodeChanges = new NodeChanges();
  private readonly hostHealthChanges = new HostHealthChanges();
  private server: Server | undefined;
  private metricsServer: Server | undefined;
  private inspectorServer: Server | undefined;
  readonly inspector: InspectorService;
  private leaderRemediation: LeaderRemediation | undefined;
  private readonly leaderMaintenance: LeaderMaintenance;
  private readonly inspectorApp: ReturnType<typeof createInspectorApp>;
  private readonly staticToken: StaticTokenSource | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  /** Rehearsals of the fault path, on every replica: a fault never runs cold code. */
  private readonly rehearsals: Rehearsals;
  private rehearsalTimer: NodeJS.Timeout | undefined;

  constructor(
    config: k8s.KubeConfig,
    private readonly options: OperatorOptions,
    private readonly log: Logger,
    safety: Omit<ReconcilerSafety, 'hostRelease' | 'cachesSynced'> = {},
    remediationOverride?: Remediation,
  ) {
    this.rehearsals = new Rehearsals(
      (policy) => rehearseFaultPath(policy),
      log.child({ component: 'rehearsal' }),
    );
    const core = config.makeApiClient(k8s.CoreV1Api);
    const apps = config.makeApiClient(k8s.AppsV1Api);
    const custom = config.makeApiClient(k8s.CustomObjectsApi);
    const enqueueAllPolicies = () => {
      for (const p of this.policies.list()) this.policyController.enqueue(p.metadata.name);
    };

    this.policies = new WatchedResource<FaultPolicy & k8s.KubernetesObject>(
      config,
      {
        name: 'faultpolicies',
        path: '/apis/doctor.io/v1alpha1/faultpolicies',
        list: () =>
          custom.listClusterCustomObject({ ...crdApi, plural: 'faultpolicies' }) as Promise<
            k8s.KubernetesListObject<FaultPolicy & k8s.KubernetesObject>
          >,
        // Any policy change can move nodes between policies (conflicts), so every policy looks again.
        onChange: (policy, change) => {
          enqueueAllPolicies();
          this.inspector.resync();
          if (!this.leading) return;
          this.leaderMaintenance.sync();
          if (change === 'delete') this.leaderRemediation?.policyDeleted(policy.metadata.name);
          else this.leaderRemediation?.policyChanged(policy);
        },
      },
      log,
    );
    this.nodes = new WatchedResource<k8s.V1Node>(
      config,
      {
        name: 'nodes',
        path: '/api/v1/nodes',
        list: () => core.listNode(),
        keep: keepPolicyFields,
        prune: nodePolicyPrune,
        batchMs: nodeEventBatchMs,
        onChange: (node, change) => {
          const seen = this.nodeChanges.classify(node, change);
          // A cordon (or uncordon) starts (or ends) planned maintenance of the host.
          if (seen.cordon && this.leading) this.leaderMaintenance.sync();
          if (seen.policies) enqueueAllPolicies();
        },
      },
      log,
    );
    this.hostHealths = new WatchedResource<HostHealth & k8s.KubernetesObject>(
      config,
      {
        name: 'hosthealths',
        path: '/apis/doctor.io/v1alpha1/hosthealths',
        list: () =>
          custom.listClusterCustomObject({ ...crdApi, plural: 'hosthealths' }) as Promise<
            k8s.KubernetesListObject<HostHealth & k8s.KubernetesObject>
          >,
        onChange: (hostHealth, change) => {
          const policy = hostHealth.spec?.policy;
          switch (this.hostHealthChanges.classify(hostHealth, change)) {
            case 'spec':
              if (policy) this.policyController.enqueue(policy);
              this.inspector.resync();
              if (this.leading) this.leaderMaintenance.sync();
              break;
            case 'count':
              // A storm flips many hosts within moments: one reconcile a little later counts them all.
              if (policy) this.policyController.enqueueAfter(policy, unhealthyCountDebounceMs);
              break;
            case 'none':
              // Status written by the inspector itself (observers, timeline): nothing to reconcile.
              break;
          }
        },
      },
      log,
    );
    const ownedSelector = `${managedByLabel}=${managedByValue}`;
    this.daemonSets = new WatchedResource<k8s.V1DaemonSet>(
      config,
      {
        name: 'daemonsets',
        path: `/apis/apps/v1/namespaces/${options.namespace}/daemonsets`,
        labelSelector: ownedSelector,
        list: () =>
          apps.listNamespacedDaemonSet({ namespace: options.namespace, labelSelector: ownedSelector }),
        onChange: (ds) => {
          const owner = ds.metadata?.ownerReferences?.find((r) => r.kind === 'FaultPolicy')?.name;
          const policy = owner ?? ds.metadata?.labels?.[policyLabel];
          if (policy) this.policyController.enqueue(policy);
        },
      },
      log,
    );

    const events = new EventRecorder(core, 'doctor-operator', options.identity, log);
    const policyStatus = new PolicyStatusWriter(custom, this.policies);
    const novaStatus = new PolicyStatusWriter(
      custom,
      this.policies,
      [ConditionType.NovaReachable],
      'doctor-remediation',
    );
    const registry = this.metrics.registry;
    const remediationMetrics = createRemediationMetrics(registry);
    // Every HostHealth status patch carries the conditions (Healthy, Remediated) when they change.
    this.hostConditions = new HostConditionWriter(this.hostHealths);
    const hostStatus = (this.hostStatus = new CoalescingStatusWriter(
      this.hostConditions.wrap((name, status) =>
        custom
          .patchClusterCustomObjectStatus(
            { ...crdApi, plural: 'hosthealths', name, body: { status } },
            k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
          )
          .then(() => undefined),
      ),
      log,
      undefined,
      (name, status) => this.hostConditions.takeOwnConditions(name, status),
    ));
    if (options.podName) {
      this.leaderLabel = new LeaderPodLabel(
        core,
        { namespace: options.namespace, podName: options.podName },
        log.child({ component: 'leader-label' }),
      );
    }
    const remediation =
      remediationOverride ??
      (this.leaderRemediation = new LeaderRemediation({
        core,
        custom,
        namespace: options.namespace,
        hostStatus,
        events,
        log: log.child({ component: 'remediation' }),
        hostHealths: this.hostHealths,
        policies: this.policies,
        metrics: remediationMetrics,
        rehearsals: this.rehearsals,
        novaReachable: new NovaReachableConditions({
          updatePolicyStatus: (name, update) => novaStatus.update(name, update),
          registry,
          log: log.child({ component: 'remediation' }),
        }),
      }));
    this.leaderMaintenance = new LeaderMaintenance({
      core,
      namespace: options.namespace,
      hostStatus,
      events,
      log: log.child({ component: 'maintenance' }),
      hostHealths: this.hostHealths,
      policies: this.policies,
      nodes: this.nodes,
      replyBaseUrl: () => options.maintenanceReplyUrl ?? new URL(options.inspectorUrl).origin,
      ...(options.maintenancePollMs !== undefined ? { timing: { pollMs: options.maintenancePollMs } } : {}),
    });
    this.inspector = new InspectorService({
      policies: this.policies,
      hostHealths: this.hostHealths,
      hostStatus,
      updatePolicyStatus: (name, update) => policyStatus.update(name, update),
      events,
      remediation,
      log: log.child({ component: 'inspector' }),
      metrics: createInspectorMetrics(registry, {
        hostHealths: this.hostHealths,
        stormHeld: () => this.inspector.stormHeld(),
        monitorHeartbeats: () => this.inspector.monitorHeartbeats(),
      }),
    });
    if (options.inspectorTokenSecret) {
      this.staticToken = new StaticTokenSource(core, options.namespace, options.inspectorTokenSecret, log);
    }
    this.inspectorApp = createInspectorApp({
      authenticator: this.authenticator(config),
      sink: this.inspector,
      log: log.child({ component: 'inspector' }),
      metrics: createIntakeMetrics(registry),
      ...options.inspectorLimits,
    });
    this.inspectorApp.use(this.leaderMaintenance.router);
    const reconciler = new PolicyReconciler(
      { core, apps, custom },
      {
        policies: this.policies,
        nodes: this.nodes,
        hostHealths: this.hostHealths,
        daemonSets: this.daemonSets,
      },
      {
        namespace: options.namespace,
        inspectorUrl: options.inspectorUrl,
        monitor: {
          ...options.monitor,
          image: options.monitorImage,
          serviceAccountName: options.monitorServiceAccount,
          tokenAudience: monitorTokenAudience,
        },
      },
      events,
      log.child({ controller: 'faultpolicy' }),
      {
        ...safety,
        ...(this.leaderRemediation ? { hostRelease: this.leaderRemediation } : {}),
        cachesSynced: () => this.synced,
      },
    );
    // Never reconcile from a partial cache: an empty node list would look like every node left.
    this.policyController = new Controller(
      'faultpolicy',
      (key) => (this.synced ? reconciler.reconcile(key) : Promise.resolve({ requeueAfterMs: 1_000 })),
      this.metrics,
      log,
    );

    if (options.leaderElection) {
      this.elector = new LeaderElector(
        custom,
        {
          namespace: options.namespace,
          leaseName: options.leaseName,
          identity: options.identity,
          leaseDurationSeconds: options.leaseDurationSeconds,
          renewDeadlineSeconds: options.renewDeadlineSeconds,
          retryPeriodSeconds: options.retryPeriodSeconds,
          onStartedLeading: () => this.startLeading(),
          onStoppedLeading: () => {
            this.steppingDown = this.stopLeading(this.shareOfShutdownMs(0.5));
          },
        },
        log,
      );
    }
  }

  private authenticator(config: k8s.KubeConfig): Authenticator {
    const chosen: Authenticator[] = [];
    for (const mode of this.options.inspectorAuth) {
      if (mode === 'none') return noAuthentication();
      if (mode === 'tokenreview') {
        chosen.push(
          tokenReviewAuthentication(config.makeApiClient(k8s.AuthenticationV1Api), {
            audience: monitorTokenAudience,
            allowedUsers: [
              `system:serviceaccount:${this.options.namespace}:${this.options.monitorServiceAccount}`,
            ],
          }),
        );
      }
      if (mode === 'static') {
        const source = this.staticToken;
        if (!source) throw new Error('--inspector-auth static needs --inspector-token-secret NAME');
        chosen.push(staticTokenAuthentication(() => source.current()));
      }
    }
    return anyOf(...chosen);
  }

  get inspectorPort(): number {
    const address = this.inspectorServer?.address();
    return typeof address === 'object' && address ? address.port : this.options.inspectorPort;
  }

  get caches() {
    return {
      policies: this.policies,
      nodes: this.nodes,
      hostHealths: this.hostHealths,
      daemonSets: this.daemonSets,
    };
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Nothing that must not pause runs now: no recent decision, no reconcile waiting or running. */
  quiet(): boolean {
    return this.inspector.quietFor(quietAfterDecisionMs) && !this.policyController.busy;
  }

  private get synced(): boolean {
    return [this.policies, this.nodes, this.hostHealths, this.daemonSets].every((w) => w.hasSynced);
  }

  start(): Promise<void> {
    this.starting = this.startSteps();
    return this.starting;
  }

  private async startSteps(): Promise<void> {
    // Every replica is Ready once its caches are synced: a standby is healthy too, and reports reach the
    // leader through the label it puts on its own Pod, not through readiness.
    const app = createHealthApp({
      alive: () => this.elector?.loopAlive ?? true,
      ready: () =>
        !this.synced ? { ready: false, reason: 'caches not synced yet' } : { ready: true, reason: '' },
      ...(this.options.metrics === undefined ? { registry: this.metrics.registry } : {}),
    });
    // In memory only; while the caches sync, so that even the first leader leads warm.
    void this.rehearsals.atStart();
    this.rehearsalTimer = setInterval(() => void this.rehearsals.keepWarm(), rehearsalPeriodMs);
    this.rehearsalTimer.unref();
    this.server = await listen(app, this.options.healthPort, this.options.healthHost);
    const metrics = this.options.metrics;
    if (metrics !== undefined && metrics !== 'off') {
      this.metricsServer = await listen(createMetricsApp(this.metrics.registry), metrics.port, metrics.host);
    }
    this.inspectorServer = await listen(
      this.inspectorApp,
      this.options.inspectorPort,
      this.options.inspectorHost,
    );
    hardenInspectorServer(this.inspectorServer, this.options.inspectorLimits);
    if (this.options.inspectorAuth.includes('none')) {
      this.log.warn(
        'inspector authentication is off (--inspector-auth none): any client that reaches the inspector port can declare any host down',
      );
    }
    await this.staticToken?.start();
    await Promise.all([
      this.policies.start(),
      this.nodes.start(),
      this.hostHealths.start(),
      this.daemonSets.start(),
    ]);
    if (this.stopping) return;
    this.log.info('operator started', {
      identity: this.options.identity,
      namespace: this.options.namespace,
      leaderElection: this.options.leaderElection,
      healthProbes: describeAddress(this.server),
      metrics: this.options.metrics === 'off' ? 'off' : describeAddress(this.metricsServer ?? this.server),
      inspector: describeAddress(this.inspectorServer),
      inspectorAuth: this.options.inspectorAuth,
    });
    // A restarted container keeps its Pod and labels: a standby must not keep drawing the reports.
    if (this.elector) await this.leaderLabel?.unmark(this.shareOfShutdownMs(1));
    if (this.stopping) return;
    if (this.elector) this.elector.start();
    else this.startLeading();
  }

  /** A part of the shutdown time, in milliseconds. */
  private shareOfShutdownMs(share: number): number {
    return (this.options.shutdownSeconds ?? 2) * 1000 * share;
  }

  /** The port /metrics is served on (the probes' when they share a listener). */
  get metricsPort(): number | undefined {
    if (this.options.metrics === 'off') return undefined;
    const address = (this.metricsServer ?? this.server)?.address();
    return typeof address === 'object' && address ? address.port : undefined;
  }

  get healthPort(): number {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : this.options.healthPort;
  }

  private startLeading(): void {
    if (this.leading) return;
    this.leading = true;
    this.metrics.isLeader.set(1);
    this.leaderLabel?.mark();
    this.policyController.start(this.options.workers);
    this.leaderRemediation?.activate();
    this.leaderMaintenance.activate();
    for (const policy of this.policies.list()) this.leaderRemediation?.policyChanged(policy);
    this.inspector.start();
    for (const p of this.policies.list()) this.policyController.enqueue(p.metadata.name);
    // Level-triggered safety net: look at every policy now and then even without a change.
    this.resyncTimer = setInterval(() => {
      for (const p of this.policies.list()) this.policyController.enqueue(p.metadata.name);
    }, this.options.resyncSeconds * 1000);
    this.resyncTimer.unref();
  }

  /** Stops acting at once (reports refused, remediation timers cancelled, no new reconcile), then waits
   * up to `waitMs` for in-flight work and for the leader label to come off. */
  private async stopLeading(waitMs: number): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    this.metrics.isLeader.set(0);
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.leaderMaintenance.stop();
    this.hostStatus.abandon('this replica stopped leading');
    this.hostConditions.reset();
    await Promise.all([
      withTimeout(this.inspector.stop(), waitMs),
      withTimeout(this.policyController.stop(), waitMs),
      this.leaderLabel ? withTimeout(this.leaderLabel.unmark(waitMs), waitMs) : undefined,
    ]);
  }

  /** Graceful shutdown within the shutdown time: stop acting, hand the lease over, stop watches and
   * servers. Each step is bounded, so an unreachable API server cannot hold the process. */
  async stop(): Promise<void> {
    this.stopping = true;
    // A SIGTERM while starting: let the servers bind (quick) so they are closed below; a start stuck on
    // an unreachable API server is not waited for, and skips the rest once it moves on.
    await withTimeout(
      this.starting.catch(() => undefined),
      this.shareOfShutdownMs(0.25),
    );
    clearInterval(this.rehearsalTimer);
    await this.steppingDown;
    await this.stopLeading(this.shareOfShutdownMs(0.4));
    if (this.elector) await withTimeout(this.elector.stop(), this.shareOfShutdownMs(0.25));
    await withTimeout(
      Promise.all([this.policies.stop(), this.nodes.stop(), this.hostHealths.stop(), this.daemonSets.stop()]),
      this.shareOfShutdownMs(0.1),
    );
    await Promise.all([
      withTimeout(this.staticToken?.stop() ?? Promise.resolve(), this.shareOfShutdownMs(0.1)),
      ...[this.server, this.metricsServer, this.inspectorServer].map((server) => closeServer(server)),
    ]);
    this.log.info('operator stopped');
  }
}

/** Where a server listens, e.g. [::]:8081 or 127.0.0.1:12345. */
function describeAddress(server: Server | undefined): string | undefined {
  const address = server?.address();
  if (!address || typeof address !== 'object') return undefined;
  return address.family === 'IPv6'
    ? `[${address.address}]:${address.port}`
    : `${address.address}:${address.port}`;
}

/** Closes a server now: idle keep-alive connections would otherwise hold close() for minutes. */
function closeServer(server: Server | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
  server.closeAllConnections();
  return closed;
}

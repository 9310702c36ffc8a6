// Carries out one host-down decision, its steps in parallel: Nova force-down (one PUT when the service id
// is known ahead); reset the host's servers to error, those known ahead at once while the host is listed
// live (all pages) to catch the rest; taint the Node; Events; one notification per server and consumer,
// sent as soon as that server is reset. Nothing waits for a status write. Progress goes into HostHealth status, and a job started
// again for the same fault (a restarted operator) skips what status shows finished.
import { eventReasons } from '../api/event-reasons.js';
import type { FaultPolicy, FaultTimeline, NotifyTarget, ServersStatus } from '../api/types.js';
import { Limiter } from '../util/concurrency.js';
import type { NovaApi, ServerSummary } from '../openstack/index.js';
import { PermanentStepError, type Services } from './job-context.js';
import {
  belongsToFault,
  type FaultFacts,
  hostNotification,
  type OutgoingNotification,
  serverNotifications,
} from './notifications.js';
import { ServerResets } from './server-resets.js';
import { type StepDeclaration, type StepFailure, StepJob } from './step-runner.js';
import {
  downSteps,
  isoTime,
  type NotificationEntry,
  type RemediationStatusPatch,
  type RemediationView,
  type TimelinePoint,
  timelinePoints,
} from './status.js';
import { hostDownTaint } from './taint.js';
import { observeTimelinePoint } from './metrics.js';

/** The inspector's HostDownDecision, or the same facts restored from status after a restart. */
export interface HostDownDecisionInput {
  faultId: string;
  /** T01 */
  detectedAt: string;
  /** T02 */
  firstReportReceivedAt: string;
  /** T03 */
  declaredAt: string;
  reopened?: boolean;
  /** Why, for the notifications (e.g. the observers that agreed). */
  reason?: string;
}

export interface HostDownInput {
  policy: FaultPolicy;
  /** The Node, which is also the HostHealth name. */
  node: string;
  novaHost: string;
  decision: HostDownDecisionInput;
  /** T00, when a test harness knows when it injected the fault. */
  injectedAt?: string;
}

export interface HostDownResult {
  faultId: string;
  /** True when status already had progress for this fault (a restarted operator). */
  resumed: boolean;
  forcedDown: boolean;
  serversFound: number;
  serversMarkedError: number;
  notificationsDelivered: number;
  notificationsPending: number;
  /** Steps whose last attempt failed, with the error. */
  failures: StepFailure[];
}

export class HostDownJob extends StepJob {
  readonly faultId: string;
  readonly resumed: boolean;
  /** Settles after every step's first attempt and every notification's first delivery attempt. */
  readonly result: Promise<HostDownResult>;
  /** Settles when nothing is left to do or retry (or the job stopped). */
  readonly settled: Promise<void>;
  private readonly timeline: FaultTimeline;
  private servers: ServersStatus;
  private novaServiceId: string | undefined;
  private readonly targets: NotifyTarget[];
  private readonly facts: FaultFacts;
  private readonly since: number;
  private readonly notifiedServers = new Set<string>();
  private listComplete = false;
  /** False when status shows the consumers were all told already: nobody is notified again. */
  private notifyNeeded = true;
  /** A servers-count update is queued for the end of this turn (countsChanged). */
  private countsQueued = false;
  /** True until the first force-down attempt settles (the other hosts' resets may wait for it). */
  private fencing = false;

  constructor(
    services: Services,
    private readonly input: HostDownInput,
    prior: RemediationView | undefined,
    previousStopped?: Promise<void>,
  ) {
    super(services, {
      node: input.node,
      faultId: input.decision.faultId,
      // A restarted job for the same fault keeps the steps status shows; a new fault starts afresh.
      steps:
        prior?.remediation?.faultId === input.decision.faultId
          ? { ...prior.remediation }
          : { faultId: input.decision.faultId },
      ...(previousStopped !== undefined ? { previousStopped } : {}),
    });
    const { decision, policy, novaHost } = input;
    this.faultId = decision.faultId;
    this.resumed = prior?.remediation?.faultId === decision.faultId;
    this.targets = policy.spec.actions.notify;
    this.facts = {
      faultId: decision.faultId,
      host: novaHost,
      time: decision.detectedAt,
      reason: decision.reason ?? policy.spec.actions.nova?.disabledReason ?? '',
    };
    this.since = Date.parse(decision.declaredAt);

    this.timeline =
      this.resumed && prior?.timeline?.faultId === this.faultId
        ? { ...prior.timeline }
        : { faultId: this.faultId };
    this.servers =
      this.resumed && prior?.servers !== undefined ? { ...prior.servers } : { found: 0, markedError: 0 };
    this.novaServiceId = prior?.novaServiceId;

    this.notifyNeeded = this.targets.length > 0 && !this.stepDone('notify', 'T07');
    this.writeStart(prior);
    // The HostDown Event is the inspector's, which declared the fault.
    if (this.resumed) this.restoreNotifications(prior?.notifications ?? []);

    // Kubernetes writes of every job wait while this one's Nova work and first deliveries go on.
    const novaDone = services.burst.novaWorkStarted();
    this.fencing = this.forceDownPending();
    if (this.fencing) services.burst.expectForceDown(input.node);
    else services.burst.forceDownSettled(input.node);
    const runs = this.runner.start(this.declareSteps());
    const novaRuns = runs.filter((run) => run.name !== 'taint');
    void Promise.race([
      Promise.all(novaRuns.map((run) => run.first)).then(() => this.queue.firstAttempts()),
      this.ctx.whenStopped,
    ]).finally(novaDone);
    this.result = this.runner.firstPass(runs, () => this.summary());
    this.settled = this.runner.finish(
      runs,
      () => this.wrapUp(),
      'host down remediation finished',
      () => this.summary(),
    );
  }

  /** The status fields this job owns, as it knows them now (newer than any read of the object). */
  view(): RemediationView {
    return {
      novaHost: this.input.novaHost,
      ...(this.novaServiceId !== undefined ? { novaServiceId: this.novaServiceId } : {}),
      timeline: { ...this.timeline },
      servers: { ...this.servers },
      notifications: this.queue.entries().map((entry) => ({ ...entry })),
      remediation: { ...this.ctx.steps },
    };
  }

  /** Whether the first force-down attempt is still to settle. */
  get forceDownInFlight(): boolean {
    return this.fencing;
  }

  private get policy(): FaultPolicy {
    return this.input.policy;
  }

  protected override reached(point: TimelinePoint): boolean {
    return this.timeline[point] !== undefined;
  }

  private stepDone(step: 'forceDown' | 'resetServers' | 'taint' | 'notify', point?: TimelinePoint): boolean {
    return this.runner.done(step, point);
  }

  private forceDownPending(): boolean {
    return this.policy.spec.actions.nova?.forceDown === true && !this.stepDone('forceDown', 'T04');
  }

  /** The steps in the order they start: force-down, the servers (reset, or only listed to notify), taint. */
  private declareSteps(): StepDeclaration[] {
    const nova = this.policy.spec.actions.nova;
    const reset = nova?.resetServers === true;
    const resetPending = reset && !this.stepDone('resetServers', 'T05');
    if (nova === undefined) this.notifyWithoutNova();
    // Not resetting and nobody to tell: the list is not needed.
    else if (!resetPending && !this.notifyNeeded) this.listComplete = true;
    return [
      { name: 'forceDown', point: 'T04', applies: nova?.forceDown === true, run: () => this.forceDown() },
      { name: 'resetServers', point: 'T05', applies: reset, run: this.resetAttempt() },
      // Not resetting: list, and consumers hear at once with each server's own state.
      {
        name: 'notify',
        applies: nova !== undefined && !resetPending && this.notifyNeeded,
        run: () => this.listToNotify(),
        recordDone: false,
      },
      { name: 'taint', applies: this.policy.spec.actions.node.taint, run: () => this.taint() },
    ];
  }

  /** First write: the fault's times, and which steps will run. A new fault clears the previous one's. */
  private writeStart(prior: RemediationView | undefined): void {
    const { decision, injectedAt } = this.input;
    const known: Partial<Record<TimelinePoint, string>> = {
      ...(injectedAt !== undefined ? { T00: injectedAt } : {}),
      T01: decision.detectedAt,
      T02: decision.firstReportReceivedAt,
      T03: decision.declaredAt,
    };
    const timeline: RemediationStatusPatch['timeline'] = { faultId: this.faultId };
    for (const point of timelinePoints) {
      const value = known[point];
      if (value !== undefined && this.timeline[point] === undefined) {
        this.timeline[point] = value;
        timeline[point] = value;
      } else if (!this.resumed && value === undefined) timeline[point] = null;
    }
    const nova = this.policy.spec.actions.nova;
    const plan: Record<(typeof downSteps)[number], boolean> = {
      forceDown: nova?.forceDown === true,
      resetServers: nova?.resetServers === true,
      taint: this.policy.spec.actions.node.taint,
      notify: this.targets.length > 0,
    };
    const { remediation } = this.runner.plan(plan, false);
    const patch: RemediationStatusPatch = { novaHost: this.input.novaHost, timeline, remediation };
    if (!this.resumed) {
      // Recovery steps and notifications of an earlier fault do not belong to this one.
      remediation.unforce = null;
      remediation.untaint = null;
      remediation.notifyUp = null;
      patch.servers = { ...this.servers };
      this.ctx.batcher.notificationsChanged('urgent');
    }
    this.ctx.batcher.update(patch, 'urgent');
    if (prior?.novaHost !== undefined && prior.novaHost !== this.input.novaHost)
      this.ctx.log.warn('Nova host of the node changed since the last status', {
        node: this.input.node,
        was: prior.novaHost,
        now: this.input.novaHost,
      });
  }

  /** Entries from status: delivered ones are kept (never sent again), the others are sent again. */
  private restoreNotifications(entries: NotificationEntry[]): void {
    const targets = new Map(this.targets.map((t) => [t.name, t]));
    const state = this.policy.spec.actions.nova?.resetServers === true ? 'error' : 'unknown';
    let changed = false;
    for (const stored of entries) {
      if (stored.kind !== 'host.down' || !belongsToFault(stored, this.faultId, this.input.novaHost)) {
        changed = true; // not this fault's: dropped from the list
        continue;
      }
      const entry: NotificationEntry = { ...stored };
      const target = targets.get(entry.consumer);
      let outgoing: OutgoingNotification | undefined;
      if (target !== undefined && !entry.delivered && entry.abandoned !== true) {
        outgoing =
          entry.server !== undefined
            ? serverNotifications(
                'host.down',
                this.facts,
                { id: entry.server, projectId: entry.project ?? '', state },
                [target],
              )[0]
            : hostNotification('host.down', this.facts, target, []);
      }
      if (target === undefined && !entry.delivered && entry.abandoned !== true) {
        entry.abandoned = true;
        entry.lastError = `consumer ${entry.consumer} is no longer in the policy`;
        changed = true;
      }
      this.queue.add(entry, target, outgoing?.prepared, this.since);
    }
    if (changed) this.ctx.batcher.notificationsChanged('urgent');
  }

  private async forceDown(): Promise<string> {
    try {
      return await this.forceDownOnce();
    } finally {
      // Answered or failed: the resets go on (a failed force-down is retried beside them).
      this.fencing = false;
      this.services.burst.forceDownSettled(this.input.node);
    }
  }

  private async forceDownOnce(): Promise<string> {
    const client = await this.services.nova.get(this.policy);
    const directory = this.services.nova.directory(this.policy.metadata.name);
    // Known ahead (warm-up, or an earlier fault's status): force-down is a single PUT.
    const serviceId = directory?.serviceId(this.input.novaHost) ?? this.novaServiceId;
    const result = await client.forceDown(
      this.input.novaHost,
      this.policy.spec.actions.nova?.disabledReason ?? '',
      serviceId !== undefined ? { serviceId } : {},
    );
    if (this.ctx.stopped) return '';
    this.setPoint('T04');
    if (result.serviceId !== undefined) {
      directory?.rememberServiceId(this.input.novaHost, result.serviceId);
      this.novaServiceId = result.serviceId;
      this.ctx.batcher.update({ novaServiceId: result.serviceId }, 'urgent');
    }
    const message = `nova-compute on ${this.input.novaHost} forced down and disabled (${result.api} API, microversion ${result.microversion}${result.serviceId !== undefined ? `, service ${result.serviceId}` : ''})`;
    this.ctx.event('hostHealth', 'Normal', eventReasons.novaServiceForcedDown, message);
    return message;
  }

  private async taint(): Promise<string> {
    const taint = hostDownTaint(this.faultId);
    const outcome = await this.services.tainter.ensureTaint(this.input.node, taint);
    const text = `${taint.key}=${taint.value}:${taint.effect}`;
    if (outcome !== 'present' && !this.ctx.stopped)
      this.ctx.event('both', 'Normal', eventReasons.nodeTainted, `Node ${this.input.node} tainted ${text}`);
    return outcome === 'present' ? `Node already had ${text}` : `Node tainted ${text}`;
  }

  /** The notify step when nothing is reset: lists the servers so consumers hear of each. */
  private async listToNotify(): Promise<string> {
    const client = await this.services.nova.get(this.policy);
    const servers = await client.listServersOnHost(this.input.novaHost);
    if (this.ctx.stopped) return '';
    this.servers = { found: servers.length, markedError: this.servers.markedError };
    this.ctx.batcher.update({ servers: { ...this.servers } }, 'urgent');
    for (const server of servers) this.notifyServer(server, server.status.toLowerCase() || 'unknown');
    this.markListComplete();
    return `${servers.length} servers listed on Nova host ${this.input.novaHost}`;
  }

  /**
   * One attempt of the reset step. The first resets the servers the host directory knows at once while
   * the host is listed live, and resets whatever the live list adds; later attempts redo what failed.
   */
  private resetAttempt(): (tryNumber: number) => Promise<string> {
    const host = this.input.novaHost;
    let client: NovaApi | undefined;
    const resets = new ServerResets({
      reset: (id) => (client as NovaApi).resetServerToError(id),
      perHost: new Limiter(this.services.options.resetConcurrency),
      global: this.services.resetLimiter,
      stopped: () => this.ctx.stopped,
      onReset: (server) => {
        this.servers = { found: resets.found, markedError: resets.markedError };
        this.countsChanged();
        this.notifyServer(server, 'error');
      },
      // Consumers hear about the host now, not after our retries: it is down whatever Nova says.
      onFailed: (server) => this.notifyServer(server, server.status.toLowerCase() || 'unknown'),
    });
    let listed = false;
    return async (tryNumber) => {
      // Fenced first: the resets wait until the force-downs announced so far (this host's and those of
      // the hosts that failed with it) are answered, or have taken longer than fenceHoldMs.
      if (tryNumber === 1) await this.services.burst.forceDownsAnswered();
      const nova = await this.services.nova.get(this.policy);
      client = nova;
      const directory = this.services.nova.directory(this.policy.metadata.name);
      const work: Promise<void>[] = [];
      if (tryNumber === 1) {
        const cached = directory?.serversOn(host);
        if (cached !== undefined) work.push(resets.add(cached));
      } else work.push(resets.retry());
      if (!listed)
        work.push(
          nova.listServersOnHost(host).then((servers) => {
            if (this.ctx.stopped) return undefined;
            listed = true;
            directory?.rememberServers(host, servers);
            return resets.add(servers);
          }),
        );
      const outcomes = await Promise.allSettled(work);
      if (this.ctx.stopped) return '';
      this.servers = { found: resets.found, markedError: resets.markedError };
      this.ctx.batcher.update({ servers: { ...this.servers } }, 'urgent');
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (!listed) throw failed?.reason ?? new Error(`the servers on Nova host ${host} were not listed`);
      this.markListComplete();
      const found = resets.found;
      if (resets.waitingRetry > 0)
        throw new Error(`${resets.waitingRetry} of ${found} servers not reset yet: ${resets.firstError}`);
      const refused = resets.refusals;
      if (refused.length > 0)
        throw new PermanentStepError(
          `Nova refused to reset ${refused.length} of ${found} servers: ${refused.slice(0, 3).join('; ')}`,
        );
      this.setPoint('T05');
      const gone = resets.goneCount;
      const message = `${resets.markedError} servers on Nova host ${host} reset to error${gone > 0 ? ` (${gone} deleted meanwhile)` : ''}`;
      this.ctx.event('hostHealth', 'Normal', eventReasons.serversResetToError, message);
      return message;
    };
  }

  /**
   * The server counts as of the end of this turn go to the batcher once: a turn often settles dozens of
   * resets, and a patch merged per reset cost more CPU than the resets' own bookkeeping.
   */
  private countsChanged(): void {
    if (this.countsQueued) return;
    this.countsQueued = true;
    setImmediate(() => {
      this.countsQueued = false;
      if (!this.ctx.stopped) this.ctx.batcher.update({ servers: { ...this.servers } }, 'lazy');
    });
  }

  /** Without Nova there is no server list: CloudEvents consumers get one host-level event. */
  private notifyWithoutNova(): void {
    if (this.stepDone('notify', 'T07')) {
      this.listComplete = true;
      return;
    }
    for (const target of this.targets) {
      if (target.format !== 'cloudevents') {
        this.ctx.log.warn('notify target needs Nova: Aodh alarms are per server', { consumer: target.name });
        continue;
      }
      const out = hostNotification('host.down', this.facts, target, []);
      if (!this.queue.has(out.entry.consumer, out.entry.id))
        this.queue.add(out.entry, target, out.prepared, this.since);
    }
    this.ctx.batcher.notificationsChanged('lazy');
    this.markListComplete();
  }

  private notifyServer(server: ServerSummary, state: string): void {
    if (this.ctx.stopped || this.notifiedServers.has(server.id) || !this.notifyNeeded) return;
    this.notifiedServers.add(server.id);
    let added = false;
    for (const out of serverNotifications(
      'host.down',
      this.facts,
      { id: server.id, projectId: server.projectId, state },
      this.targets,
    )) {
      if (this.queue.has(out.entry.consumer, out.entry.id)) continue;
      this.queue.add(out.entry, out.target, out.prepared, this.since);
      added = true;
    }
    if (added) this.ctx.batcher.notificationsChanged('lazy');
  }

  private markListComplete(): void {
    if (this.listComplete) return;
    this.listComplete = true;
    this.checkNotified();
  }

  protected override onDelivered(): void {
    this.setPoint('T06');
    // Lazy: a delivery lost from status in a crash is sent again (same id), never lost; the last one
    // (T07, notify Done) is written at once. A write per delivery would load the API server in a rack
    // failure just when the operator needs the CPU.
    this.ctx.batcher.notificationsChanged('lazy');
    this.checkNotified();
  }

  /** T07 and the notify step once every notification of the fault is delivered (or given up). */
  protected override checkNotified(): void {
    if (this.ctx.stopped || !this.listComplete || this.queue.pending > 0 || this.targets.length === 0) return;
    const state = this.ctx.steps.notify?.state;
    if (state === 'Done' || state === 'Failed') return;
    const downs = this.queue.entries().filter((e) => e.kind === 'host.down');
    const abandoned = downs.filter((e) => e.abandoned === true);
    const consumers = [...new Set(downs.map((e) => e.consumer))].join(', ');
    if (abandoned.length === 0) {
      this.setPoint('T07');
      const message =
        downs.length === 0
          ? `no servers on Nova host ${this.input.novaHost} that the consumers want: nothing to notify`
          : `${downs.length} notifications delivered to ${consumers}`;
      this.ctx.setStep('notify', { state: 'Done', attempts: this.ctx.steps.notify?.attempts ?? 0, message });
      this.ctx.event('hostHealth', 'Normal', eventReasons.consumersNotified, message);
      return;
    }
    const message = `${abandoned.length} of ${downs.length} notifications given up: ${abandoned[0]?.lastError ?? ''}`;
    this.ctx.setStep('notify', { state: 'Failed', attempts: this.ctx.steps.notify?.attempts ?? 0, message });
    this.ctx.event('hostHealth', 'Warning', eventReasons.notificationsAbandoned, message);
  }

  private setPoint(point: TimelinePoint): void {
    if (this.timeline[point] !== undefined) return;
    const value = isoTime(this.ctx.now());
    this.timeline[point] = value;
    this.ctx.batcher.update({ timeline: { faultId: this.faultId, [point]: value } }, 'urgent');
    observeTimelinePoint(this.services.metrics, this.timeline, point);
  }

  /** After the steps and deliveries: the notify step's outcome, then T08. False when stopped meanwhile. */
  private async wrapUp(): Promise<boolean> {
    const notify = this.ctx.steps.notify?.state;
    if (this.targets.length > 0 && !this.listComplete && notify !== 'Failed' && notify !== 'Done')
      this.ctx.setStep('notify', {
        state: 'Failed',
        attempts: this.ctx.steps.notify?.attempts ?? 0,
        message: 'the servers on the host could not be listed, so no consumer was told about them',
      });
    this.checkNotified();
    if (this.timeline.T08 === undefined) {
      await this.ctx.batcher.flush();
      if (this.ctx.stopped) return false;
      this.setPoint('T08');
    }
    return true;
  }

  private summary(): HostDownResult {
    const entries = this.queue.entries();
    const failures = this.runner.failures(downSteps);
    return {
      faultId: this.faultId,
      resumed: this.resumed,
      forcedDown: this.timeline.T04 !== undefined,
      serversFound: this.servers.found,
      serversMarkedError: this.servers.markedError,
      notificationsDelivered: entries.filter((e) => e.delivered).length,
      notificationsPending: this.queue.pending,
      failures,
    };
  }
}

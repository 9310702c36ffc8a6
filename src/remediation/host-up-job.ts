// Undoes a fault's remediation when the host is healthy again: clears forced_down (when the policy says
// unforceOnRecovery), removes the Node taint, and tells every consumer the host is up. Idempotent: steps
// and notifications that status shows finished are not repeated.
//
// "Up" notifications: a CloudEvents consumer gets one io.doctor.host.up event listing the fault's servers
// it may see. An Aodh consumer parses alarms only, so it gets, per server whose "alarm" it received, the
// same alarm (same alarm_id) going back to "ok".
import type { FaultPolicy, NotifyTarget } from '../api/types.js';
import { JobContext, type Services, type StepRun } from './job-context.js';
import { NotificationQueue } from './notification-queue.js';
import {
  belongsToFault,
  type FaultFacts,
  hostNotification,
  type OutgoingNotification,
  serverNotifications,
} from './notifications.js';
import { reasons } from './reasons.js';
import {
  isoTime,
  stepPatch,
  type NotificationEntry,
  type RemediationStatus,
  type RemediationStatusPatch,
  type RemediationView,
  type StepStatus,
  upSteps,
} from './status.js';
import { hostDownTaintKey } from './taint.js';
import { HmacKeys } from './targets.js';

export interface HostRecoveredInput {
  policy: FaultPolicy;
  node: string;
  novaHost: string;
  /** The fault that ended (HostHealthyDecision.faultId). */
  faultId: string;
  /** When the host was declared healthy (HostHealthyDecision.at). */
  at: string;
  hostHealthUid?: string;
  nodeUid?: string;
}

export interface HostRecoveredResult {
  faultId: string;
  unforced: boolean;
  untainted: boolean;
  notificationsDelivered: number;
  notificationsPending: number;
  /** "Down" notifications given up because the host came back before they got through. */
  downNotificationsAbandoned: number;
  failures: { step: string; message: string }[];
}

export class HostUpJob {
  readonly faultId: string;
  readonly result: Promise<HostRecoveredResult>;
  readonly settled: Promise<void>;
  private readonly ctx: JobContext;
  private readonly queue: NotificationQueue;
  private readonly targets: NotifyTarget[];
  private downAbandoned = 0;

  constructor(
    private readonly services: Services,
    private readonly input: HostRecoveredInput,
    prior: RemediationView | undefined,
  ) {
    this.faultId = input.faultId;
    this.targets = input.policy.spec.actions.notify;
    const sameFault = prior?.remediation?.faultId === input.faultId;
    const steps: RemediationStatus = sameFault ? { ...prior?.remediation } : { faultId: input.faultId };
    this.ctx = new JobContext(
      services,
      {
        node: input.node,
        faultId: input.faultId,
        ...(input.hostHealthUid !== undefined ? { hostHealthUid: input.hostHealthUid } : {}),
        ...(input.nodeUid !== undefined ? { nodeUid: input.nodeUid } : {}),
      },
      steps,
      () => this.queue.entries(),
    );
    const hmac = new HmacKeys(services.secrets);
    this.queue = new NotificationQueue(
      { deliver: services.deliver, keyFor: (t) => hmac.keyFor(t), now: services.now, log: services.log },
      {
        concurrencyPerConsumer: services.options.deliveryConcurrency,
        maxAgeMs: services.options.notificationMaxAgeMs,
        retry: services.options.notificationRetry,
      },
      {
        delivered: () => {
          this.ctx.batcher.notificationsChanged('urgent');
          this.checkNotified();
        },
        failed: () => this.ctx.batcher.notificationsChanged('lazy'),
        abandoned: () => {
          this.ctx.batcher.notificationsChanged('urgent');
          this.checkNotified();
        },
      },
    );

    const allDone = upSteps.every((s) => steps[s]?.state === 'Done' || steps[s]?.state === 'Skipped');
    this.writeStart();
    this.loadNotifications(prior?.notifications ?? []);
    if (!allDone)
      this.ctx.event(
        'both',
        'Normal',
        reasons.hostRecovered,
        `Host ${input.node} (Nova host ${input.novaHost}) is healthy again; undoing fault ${input.faultId}`,
      );
    const runs = [this.unforceStep(), this.untaintStep()].filter((r): r is StepRun => r !== undefined);
    this.checkNotified();
    this.result = this.firstPass(runs);
    this.settled = this.finish(runs);
  }

  view(): RemediationView {
    return { notifications: this.queue.entries().map((e) => ({ ...e })), remediation: { ...this.ctx.steps } };
  }

  stop(): Promise<void> {
    return this.ctx.shutdown(() => this.queue.stop());
  }

  get lastWrite(): Promise<void> | undefined {
    return this.ctx.lastWrite;
  }

  private plan(): Record<(typeof upSteps)[number], boolean> {
    const nova = this.input.policy.spec.actions.nova;
    return {
      // Only a service we may have forced down is un-forced: never one an admin forced down by hand.
      unforce: nova?.unforceOnRecovery === true && nova.forceDown,
      // Our own taint key: removing it is always safe, even if the policy stopped tainting meanwhile.
      untaint: true,
      notifyUp: this.targets.length > 0,
    };
  }

  private writeStart(): void {
    const plan = this.plan();
    const remediation: NonNullable<RemediationStatusPatch['remediation']> = { faultId: this.faultId };
    let changed = false;
    for (const step of upSteps) {
      const current = this.ctx.steps[step];
      if (current?.state === 'Done' || (current?.state === 'Skipped' && !plan[step])) continue;
      const record: StepStatus = plan[step]
        ? { state: 'Running', attempts: current?.attempts ?? 0, time: isoTime(this.ctx.now()) }
        : { state: 'Skipped', time: isoTime(this.ctx.now()) };
      this.ctx.steps[step] = record;
      remediation[step] = stepPatch(record);
      changed = true;
    }
    if (changed) this.ctx.batcher.update({ remediation }, 'urgent');
  }

  /**
   * Keeps the fault's "down" entries (pending ones are given up: the host is back, an alarm now would be
   * wrong) and adds or resumes one "up" notification per consumer (CloudEvents) or per alarmed server (Aodh).
   */
  private loadNotifications(stored: NotificationEntry[]): void {
    const host = this.input.novaHost;
    const facts: FaultFacts = { faultId: this.faultId, host, time: this.input.at };
    const mine = stored.filter((e) => belongsToFault(e, this.faultId, host)).map((e) => ({ ...e }));
    const downs = mine.filter((e) => e.kind === 'host.down');
    for (const entry of downs) {
      if (!entry.delivered && entry.abandoned !== true) {
        entry.abandoned = true;
        entry.lastError = 'the host recovered before this was delivered';
        this.downAbandoned++;
      }
      this.queue.add(entry, undefined, undefined, 0);
    }
    const ups = new Map(
      mine.filter((e) => e.kind === 'host.up').map((e) => [`${e.consumer}\u0000${e.id}`, e]),
    );
    const since = Date.parse(this.input.at);
    const servers = uniqueServers(downs);
    const outgoing: OutgoingNotification[] = [];
    if (this.plan().notifyUp && this.ctx.steps.notifyUp?.state !== 'Done') {
      for (const target of this.targets) {
        if (target.format === 'cloudevents') {
          const wanted = servers.filter(
            (s) => target.projects.length === 0 || target.projects.includes(s.projectId),
          );
          // A consumer that only watches other projects has nothing on this host to hear about.
          if (target.projects.length === 0 || wanted.length > 0)
            outgoing.push(hostNotification('host.up', facts, target, wanted));
          continue;
        }
        for (const down of downs) {
          if (down.consumer !== target.name || !down.delivered || down.server === undefined) continue;
          outgoing.push(
            ...serverNotifications(
              'host.up',
              facts,
              { id: down.server, projectId: down.project ?? '', state: 'error' },
              [target],
            ),
          );
        }
      }
    }
    for (const out of outgoing) {
      const existing = ups.get(`${out.entry.consumer}\u0000${out.entry.id}`);
      this.queue.add(existing ?? out.entry, out.target, out.prepared, since);
    }
    if (this.downAbandoned > 0 || outgoing.length > 0) this.ctx.batcher.notificationsChanged('urgent');
  }

  private unforceStep(): StepRun | undefined {
    const nova = this.input.policy.spec.actions.nova;
    if (!this.plan().unforce || nova === undefined || this.ctx.steps.unforce?.state === 'Done')
      return undefined;
    return this.ctx.runStep('unforce', async () => {
      const client = await this.services.nova.get(this.input.policy);
      const serviceId = this.services.nova
        .directory(this.input.policy.metadata.name)
        ?.serviceId(this.input.novaHost);
      const result = await client.unforceDown(
        this.input.novaHost,
        serviceId !== undefined ? { serviceId } : {},
      );
      const message = `nova-compute on ${this.input.novaHost} no longer forced down, enabled (${result.api} API)`;
      if (!this.ctx.stopped) this.ctx.event('hostHealth', 'Normal', reasons.novaServiceUnforced, message);
      return message;
    });
  }

  private untaintStep(): StepRun | undefined {
    if (this.ctx.steps.untaint?.state === 'Done') return undefined;
    return this.ctx.runStep('untaint', async () => {
      const outcome = await this.services.tainter.removeTaint(
        this.input.node,
        hostDownTaintKey,
        'NoSchedule',
      );
      if (outcome === 'removed' && !this.ctx.stopped)
        this.ctx.event(
          'both',
          'Normal',
          reasons.nodeUntainted,
          `Node ${this.input.node}: taint ${hostDownTaintKey} removed`,
        );
      return outcome === 'removed'
        ? `taint ${hostDownTaintKey} removed`
        : `Node had no ${hostDownTaintKey} taint`;
    });
  }

  private checkNotified(): void {
    if (this.ctx.stopped || !this.plan().notifyUp || this.queue.pending > 0) return;
    const state = this.ctx.steps.notifyUp?.state;
    if (state === 'Done' || state === 'Failed') return;
    const ups = this.queue.entries().filter((e) => e.kind === 'host.up');
    const abandoned = ups.filter((e) => e.abandoned === true);
    if (abandoned.length === 0) {
      const message =
        ups.length === 0
          ? 'no consumer had anything on this host to hear about'
          : `${ups.length} "host up" notifications delivered`;
      this.ctx.setStep('notifyUp', {
        state: 'Done',
        attempts: ups.reduce((n, e) => n + e.attempts, 0),
        message,
      });
      if (ups.length > 0) this.ctx.event('hostHealth', 'Normal', reasons.consumersNotified, message);
      return;
    }
    const message = `${abandoned.length} of ${ups.length} "host up" notifications given up: ${abandoned[0]?.lastError ?? ''}`;
    this.ctx.setStep('notifyUp', { state: 'Failed', message });
    this.ctx.event('hostHealth', 'Warning', reasons.notificationsAbandoned, message);
  }

  private async firstPass(runs: StepRun[]): Promise<HostRecoveredResult> {
    await Promise.all(runs.map((r) => r.first));
    await Promise.race([this.queue.firstAttempts(), this.ctx.whenStopped]);
    // The caller may read the object next: let it show what this pass did.
    if (!this.ctx.stopped) await this.ctx.batcher.flush();
    return this.summary();
  }

  private async finish(runs: StepRun[]): Promise<void> {
    await Promise.all(runs.map((r) => r.final));
    await Promise.race([this.queue.idle(), this.ctx.whenStopped]);
    if (this.ctx.stopped) return;
    this.checkNotified();
    await this.ctx.batcher.flush();
    this.ctx.log.info('host recovery finished', { node: this.input.node, ...this.summary() });
  }

  private summary(): HostRecoveredResult {
    const ups = this.queue.entries().filter((e) => e.kind === 'host.up');
    const failures = upSteps
      .map((step) => ({ step, status: this.ctx.steps[step] }))
      .filter(
        ({ status }) =>
          status?.state === 'Failed' || (status?.state === 'Running' && status.message !== undefined),
      )
      .map(({ step, status }) => ({ step, message: status?.message ?? '' }));
    return {
      faultId: this.faultId,
      unforced: this.ctx.steps.unforce?.state === 'Done',
      untainted: this.ctx.steps.untaint?.state === 'Done',
      notificationsDelivered: ups.filter((e) => e.delivered).length,
      notificationsPending: ups.filter((e) => !e.delivered && e.abandoned !== true).length,
      downNotificationsAbandoned: this.downAbandoned,
      failures,
    };
  }
}

function uniqueServers(entries: NotificationEntry[]): { id: string; projectId: string }[] {
  const seen = new Map<string, string>();
  for (const e of entries)
    if (e.server !== undefined && !seen.has(e.server)) seen.set(e.server, e.project ?? '');
  return [...seen].map(([id, projectId]) => ({ id, projectId }));
}

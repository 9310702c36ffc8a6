// Undoes a fault's remediation when the host is healthy again: clears forced_down (when the policy says
// unforceOnRecovery), removes the Node taint, and tells every consumer the host is up. Idempotent: steps
// and notifications that status shows finished are not repeated.
//
// "Up" notifications: a CloudEvents consumer gets one io.doctor.host.up event listing the fault's servers
// it may see. An Aodh consumer parses alarms only, so it gets, per server whose "alarm" it received, the
// same alarm (same alarm_id) going back to "ok".
import { eventReasons } from '../api/event-reasons.js';
import type { FaultPolicy, NotifyTarget } from '../api/types.js';
import type { Services } from './job-context.js';
import {
  belongsToFault,
  type FaultFacts,
  hostNotification,
  type OutgoingNotification,
  serverNotifications,
} from './notifications.js';
import { type NotificationEntry, type RemediationView, upSteps } from './status.js';
import { type StepDeclaration, type StepFailure, StepJob } from './step-runner.js';
import { hostDownTaintKey } from './taint.js';

export interface HostRecoveredInput {
  policy: FaultPolicy;
  node: string;
  novaHost: string;
  /** The fault that ended (HostHealthyDecision.faultId). */
  faultId: string;
  /** When the host was declared healthy (HostHealthyDecision.at). */
  at: string;
}

export interface HostRecoveredResult {
  faultId: string;
  unforced: boolean;
  untainted: boolean;
  notificationsDelivered: number;
  notificationsPending: number;
  /** "Down" notifications given up because the host came back before they got through. */
  downNotificationsAbandoned: number;
  failures: StepFailure[];
}

export class HostUpJob extends StepJob {
  readonly faultId: string;
  readonly result: Promise<HostRecoveredResult>;
  readonly settled: Promise<void>;
  private readonly targets: NotifyTarget[];
  private downAbandoned = 0;

  constructor(
    services: Services,
    private readonly input: HostRecoveredInput,
    prior: RemediationView | undefined,
  ) {
    super(services, {
      node: input.node,
      faultId: input.faultId,
      steps:
        prior?.remediation?.faultId === input.faultId ? { ...prior.remediation } : { faultId: input.faultId },
    });
    this.faultId = input.faultId;
    this.targets = input.policy.spec.actions.notify;
    this.writeStart();
    // The HostRecovered Event is the inspector's, which declared the host healthy.
    this.loadNotifications(prior?.notifications ?? []);
    const runs = this.runner.start(this.declareSteps());
    this.checkNotified();
    this.result = this.runner.firstPass(runs, () => this.summary());
    this.settled = this.runner.finish(
      runs,
      () => {
        this.checkNotified();
        return Promise.resolve(true);
      },
      'host recovery finished',
      () => this.summary(),
    );
  }

  view(): RemediationView {
    return { notifications: this.queue.entries().map((e) => ({ ...e })), remediation: { ...this.ctx.steps } };
  }

  protected override onDelivered(): void {
    this.ctx.batcher.notificationsChanged('urgent');
    this.checkNotified();
  }

  /** Un-force and untaint run as steps; notifyUp is settled by the deliveries. */
  private declareSteps(): StepDeclaration[] {
    const plan = this.plan();
    return [
      {
        name: 'unforce',
        applies: plan.unforce && this.input.policy.spec.actions.nova !== undefined,
        run: () => this.unforce(),
      },
      { name: 'untaint', applies: plan.untaint, run: () => this.untaint() },
    ];
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
    const { remediation, changed } = this.runner.plan(this.plan(), true);
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

  private async unforce(): Promise<string> {
    const client = await this.services.nova.get(this.input.policy);
    const serviceId = this.services.nova
      .directory(this.input.policy.metadata.name)
      ?.serviceId(this.input.novaHost);
    const result = await client.unforceDown(
      this.input.novaHost,
      serviceId !== undefined ? { serviceId } : {},
    );
    const message = `nova-compute on ${this.input.novaHost} no longer forced down, enabled (${result.api} API)`;
    if (!this.ctx.stopped) this.ctx.event('hostHealth', 'Normal', eventReasons.novaServiceUnforced, message);
    return message;
  }

  private async untaint(): Promise<string> {
    const outcome = await this.services.tainter.removeTaint(this.input.node, hostDownTaintKey, 'NoSchedule');
    if (outcome === 'removed' && !this.ctx.stopped)
      this.ctx.event(
        'both',
        'Normal',
        eventReasons.nodeUntainted,
        `Node ${this.input.node}: taint ${hostDownTaintKey} removed`,
      );
    return outcome === 'removed'
      ? `taint ${hostDownTaintKey} removed`
      : `Node had no ${hostDownTaintKey} taint`;
  }

  protected override checkNotified(): void {
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
      if (ups.length > 0) this.ctx.event('hostHealth', 'Normal', eventReasons.consumersNotified, message);
      return;
    }
    const message = `${abandoned.length} of ${ups.length} "host up" notifications given up: ${abandoned[0]?.lastError ?? ''}`;
    this.ctx.setStep('notifyUp', { state: 'Failed', message });
    this.ctx.event('hostHealth', 'Warning', eventReasons.notificationsAbandoned, message);
  }

  private summary(): HostRecoveredResult {
    const ups = this.queue.entries().filter((e) => e.kind === 'host.up');
    const failures = this.runner.failures(upSteps);
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

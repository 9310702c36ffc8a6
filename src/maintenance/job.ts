// The planned maintenance of one host, OPNFV Doctor's second use case: disable the nova-compute service
// (no new servers land), tell every consumer about each server (maintenance.scheduled, with where to
// answer), and move each server (live, cold or not at all, per answer and spec) as soon as an ACK / NACK
// settles it or maxWaitSeconds has passed, with bounded parallelism, following each Nova migration to its
// end; then report the host empty. When maintenance ends: enable the service again and send maintenance.complete. Every step and
// every server is recorded in status.maintenance, so a restarted operator resumes where this one was.
import { MaintenanceConditionReason } from '../api/conditions.js';
import { maintenanceEventReasons as reasons } from '../api/maintenance-event-reasons.js';
import type {
  MaintenanceServer,
  MaintenanceStatus,
  MaintenanceStep,
  MaintenanceStepName,
} from '../api/maintenance-types.js';
import { prepareMaintenanceNotification, type MaintenanceKind } from '../notify/maintenance.js';
import { errorText } from '../util/error-text.js';
import type { MaintenanceAnswer } from './answers.js';
import { migrateSettledServers } from './migrate-step.js';
import { roundMessage, sendAll, targetWants, type Outgoing } from './notify-consumers.js';
import { Pause } from './pause.js';
import type { MaintenanceHost, MaintenancePorts, MaintenanceTiming, ReadyCondition } from './ports.js';

export interface AnswerOutcome {
  status: 200 | 403 | 404 | 409;
  message: string;
}

/** The disabled_reason this workflow gives nova-compute (followed by the spec's reason). */
export const disabledReasonPrefix = 'doctor-operator: planned maintenance';

export function newSessionId(node: string, startedMs: number): string {
  return `${node}-${startedMs.toString(36)}`.slice(0, 253);
}

export class MaintenanceJob {
  readonly record: MaintenanceStatus;
  private readonly pause = new Pause();
  /** Servers a migration worker has taken: an answer about them is too late from then on. */
  private readonly claimed = new Set<string>();
  private stopped = false;
  private ending = false;
  private running: Promise<void> | undefined;
  private condition: ReadyCondition | undefined;
  /** The condition last written: it is sent again only when it changes. */
  private writtenCondition = '';

  constructor(
    private readonly ports: MaintenancePorts,
    private readonly host: MaintenanceHost,
    private readonly timing: MaintenanceTiming,
    prior?: MaintenanceStatus,
  ) {
    const now = ports.now();
    this.record =
      prior !== undefined && prior.phase !== 'Complete'
        ? structuredClone(prior)
        : {
            sessionId: newSessionId(host.node, now),
            trigger: host.trigger,
            phase: 'DisablingService',
            startedTime: new Date(now).toISOString(),
            steps: {},
          };
    this.record.steps ??= {};
  }

  get sessionId(): string {
    return this.record.sessionId;
  }

  /** Runs (or resumes) the steps up to the host reported empty; settles when there is nothing left to do. */
  start(): Promise<void> {
    this.running ??= this.enter().catch((err: unknown) => {
      this.ports.log.error('maintenance workflow failed', { node: this.host.node, error: errorText(err) });
    });
    return this.running;
  }

  /** Maintenance is over: stop moving servers, then enable the service and send maintenance.complete. */
  async end(): Promise<void> {
    this.ending = true;
    this.pause.wake();
    await this.running;
    if (this.stopped) return;
    await this.exit();
  }

  /** Leadership lost or shutdown: stop at once; status already holds what a successor needs. */
  stop(): void {
    this.stopped = true;
    this.pause.wake();
  }

  /** An answer from consumer `consumer`, already authenticated as that consumer. */
  async answer(consumer: string, answer: MaintenanceAnswer): Promise<AnswerOutcome> {
    const target = this.host.targets.find((t) => t.name === consumer);
    if (target === undefined)
      return { status: 403, message: `${consumer} is not a consumer of this host's policy` };
    if (this.ending || this.record.phase === 'Complete') {
      return { status: 409, message: 'maintenance of this host is over' };
    }
    const told = (this.record.servers ?? []).filter((s) => targetWants(target.projects, s.project));
    const ids = answer.serverIds ?? told.map((s) => s.id);
    const unknown = ids.filter((id) => !told.some((s) => s.id === id));
    if (unknown.length > 0) {
      return {
        status: 403,
        message: `${consumer} was not told about server(s) ${unknown.slice(0, 5).join(', ')}`,
      };
    }
    const late = told.filter((s) => ids.includes(s.id) && (s.state !== 'Pending' || this.claimed.has(s.id)));
    if (late.length > 0) {
      return {
        status: 409,
        message: `too late: server(s) ${late
          .slice(0, 5)
          .map((s) => s.id)
          .join(', ')} already handled`,
      };
    }
    const time = new Date(this.ports.now()).toISOString();
    for (const server of told.filter((s) => ids.includes(s.id))) {
      // A NACK from any consumer wins over an ACK from another.
      if (server.answer === 'NACK' && answer.verdict === 'ACK') continue;
      server.answer = answer.verdict;
      server.answeredBy = consumer;
      const action = answer.actions[server.id];
      if (action !== undefined) server.action = action;
      server.time = time;
    }
    await this.save();
    void this.ports.event(
      this.host.node,
      answer.verdict === 'ACK' ? 'Normal' : 'Warning',
      reasons.answered,
      `${consumer} answered ${answer.verdict} for ${ids.length} server(s) (session ${this.sessionId})`,
    );
    this.pause.wake();
    return { status: 200, message: `${answer.verdict} recorded for ${ids.length} server(s)` };
  }

  private get cancelled(): boolean {
    return this.stopped || this.ending;
  }

  private async enter(): Promise<void> {
    if (this.record.steps?.disableService === undefined) {
      this.condition = {
        status: 'False',
        reason: MaintenanceConditionReason.InProgress,
        message: 'consumers are being asked and servers moved off the host',
      };
      void this.ports.event(
        this.host.node,
        'Normal',
        reasons.started,
        `maintenance of ${this.host.novaHost} started (${this.record.trigger}; session ${this.sessionId})`,
      );
    }
    await this.step('disableService', async () => {
      if (await this.serviceAlreadyDown()) {
        return 'nova-compute was already disabled or forced down: left as it was, and left so at the end';
      }
      await this.host.nova.disableService(
        this.host.novaHost,
        `${disabledReasonPrefix}${this.host.spec.reason ? `: ${this.host.spec.reason}` : ''}`,
        this.host.serviceId !== undefined ? { serviceId: this.host.serviceId } : {},
      );
      void this.ports.event(
        this.host.node,
        'Normal',
        reasons.serviceDisabled,
        `nova-compute on ${this.host.novaHost} disabled`,
      );
      return 'nova-compute disabled';
    });
    if (this.cancelled) return;
    if (this.record.servers === undefined) {
      const servers = await this.retrying('list servers', () =>
        this.host.nova.listServersOnHost(this.host.novaHost),
      );
      if (servers === undefined) return;
      this.record.servers = servers.map((s) => ({
        id: s.id,
        name: s.name,
        project: s.projectId,
        state: 'Pending',
      }));
    }
    this.record.phase = 'WaitingForAnswers';
    await this.step('notify', () => this.notifyScheduled());
    if (this.cancelled) return;
    // The answers and the migrations overlap: a server moves as soon as its answer (or the deadline)
    // settles it, so servers answered at once do not wait for a slow consumer's.
    await Promise.all([
      this.step('answers', () => this.awaitAnswers()),
      this.step('migrate', () => this.migrateAll()),
    ]);
    if (this.cancelled) return;
    await this.reportEmpty();
  }

  /**
   * Whether nova-compute was disabled or forced down before this maintenance (say by remediation of a
   * fault), recorded once so the exit does not enable a service someone else took down. A service
   * disabled with this workflow's own reason was disabled by an earlier attempt of this step.
   */
  private async serviceAlreadyDown(): Promise<boolean> {
    if (this.record.serviceWasDown === undefined) {
      const services = (await this.host.nova.listComputeServices?.(this.host.novaHost)) ?? [];
      const service = services.find((s) => s.host === this.host.novaHost);
      const ours = service?.disabledReason?.startsWith(disabledReasonPrefix) === true;
      this.record.serviceWasDown =
        service !== undefined && (service.forcedDown || (service.status === 'disabled' && !ours));
      await this.save();
    }
    return this.record.serviceWasDown;
  }

  /** Runs a step unless status shows it Done; records Running, then Done or Failed (a failure is shown, not hidden). */
  private async step(name: MaintenanceStepName, body: () => Promise<string>): Promise<void> {
    const steps = this.record.steps as Partial<Record<MaintenanceStepName, MaintenanceStep>>;
    const current = steps[name];
    if (current?.state === 'Done' || this.cancelled) return;
    steps[name] = { state: 'Running', attempts: (current?.attempts ?? 0) + 1, time: this.iso() };
    await this.save();
    let record: MaintenanceStep;
    try {
      record = {
        state: 'Done',
        attempts: steps[name]?.attempts ?? 1,
        message: (await body()).slice(0, 1024),
        time: this.iso(),
      };
    } catch (err) {
      record = {
        state: 'Failed',
        attempts: steps[name]?.attempts ?? 1,
        message: errorText(err).slice(0, 1024),
        time: this.iso(),
      };
      void this.ports.event(
        this.host.node,
        'Warning',
        reasons.stepFailed,
        `${name} failed: ${record.message}`,
      );
    }
    if (this.stopped) return;
    if (this.ending && record.state === 'Done' && (name === 'answers' || name === 'migrate')) {
      // Cut short by the end of maintenance: leave it Running, it no longer matters.
      return;
    }
    steps[name] = record;
    await this.save();
  }

  /** Bounded retries of a Nova read; undefined (and a Failed record) when it never worked. */
  private async retrying<T>(what: string, op: () => Promise<T>): Promise<T | undefined> {
    let lastError = '';
    for (let attempt = 1; attempt <= this.timing.stepAttempts && !this.cancelled; attempt++) {
      try {
        return await op();
      } catch (err) {
        lastError = errorText(err);
        await this.pause.sleep(this.timing.retryBaseMs * 2 ** (attempt - 1));
      }
    }
    if (!this.cancelled) {
      this.record.phase = 'Blocked';
      (this.record.steps as Record<string, MaintenanceStep>).migrate = {
        state: 'Failed',
        message: `${what}: ${lastError}`.slice(0, 1024),
        time: this.iso(),
      };
      void this.ports.event(this.host.node, 'Warning', reasons.stepFailed, `${what} failed: ${lastError}`);
      await this.save();
    }
    return undefined;
  }

  private async notifyScheduled(): Promise<string> {
    const servers = this.record.servers ?? [];
    this.record.answersDeadline ??= new Date(
      this.ports.now() + (this.host.spec.maxWaitSeconds ?? 60) * 1000,
    ).toISOString();
    const outgoing: Outgoing[] = [];
    for (const target of this.host.targets) {
      for (const server of servers.filter((s) => targetWants(target.projects, s.project))) {
        outgoing.push({
          target,
          notification: prepareMaintenanceNotification(target.format, {
            ...this.common('maintenance.scheduled', target.name),
            server: { id: server.id, projectId: server.project },
            replyUrl: this.host.replyUrl(this.sessionId, target.name),
            answerBy: this.record.answersDeadline,
            migration: this.host.spec.migration ?? 'live',
          }),
        });
      }
    }
    await this.save();
    const round = await sendAll(this.ports, this.timing, this.pause, outgoing, () => this.cancelled);
    void this.ports.event(
      this.host.node,
      round.failures.length === 0 ? 'Normal' : 'Warning',
      reasons.consumersTold,
      `maintenance.scheduled for ${servers.length} server(s): ${roundMessage(round)}`,
    );
    return roundMessage(round);
  }

  private common(kind: MaintenanceKind, consumer: string) {
    return {
      kind,
      sessionId: this.sessionId,
      consumer,
      host: this.host.novaHost,
      time: new Date(this.ports.now()),
      ...(this.host.spec.reason !== undefined ? { reason: this.host.spec.reason } : {}),
    };
  }

  /** Servers some consumer was told about and that still have no answer. */
  private unanswered(): MaintenanceServer[] {
    return (this.record.servers ?? []).filter(
      (s) => s.answer === undefined && this.host.targets.some((t) => targetWants(t.projects, s.project)),
    );
  }

  private async awaitAnswers(): Promise<string> {
    const deadline = Date.parse(this.record.answersDeadline ?? this.iso());
    while (!this.cancelled && this.unanswered().length > 0 && this.ports.now() < deadline) {
      await this.pause.sleep(Math.min(deadline - this.ports.now(), 60_000));
    }
    const missing = this.unanswered().length;
    const total = (this.record.servers ?? []).length;
    return missing === 0
      ? `every answer arrived (${total} server(s))`
      : `${missing} of ${total} server(s) unanswered by the deadline`;
  }

  private migrateAll(): Promise<string> {
    return migrateSettledServers({
      host: this.host,
      ports: this.ports,
      timing: this.timing,
      pause: this.pause,
      record: this.record,
      claimed: this.claimed,
      cancelled: () => this.cancelled,
      save: () => this.save(),
    });
  }

  /** Looks at the host live until it is empty (or maintenance ends): ReadyForMaintenance only then. */
  private async reportEmpty(): Promise<void> {
    while (!this.cancelled) {
      const remaining = await this.retrying('list servers', () =>
        this.host.nova.listServersOnHost(this.host.novaHost),
      );
      if (remaining === undefined) return;
      if (remaining.length === 0) {
        await this.hostEmpty();
        return;
      }
      if (this.record.phase !== 'Blocked') {
        this.record.phase = 'Blocked';
        this.condition = {
          status: 'False',
          reason: MaintenanceConditionReason.ServersRemain,
          message: `${remaining.length} server(s) remain on ${this.host.novaHost}: ${remaining
            .slice(0, 5)
            .map((s) => s.id)
            .join(', ')}`,
        };
        void this.ports.event(this.host.node, 'Warning', reasons.serversRemain, this.condition.message);
        await this.save();
      }
      await this.pause.sleep(this.timing.recheckMs);
    }
  }

  private async hostEmpty(): Promise<void> {
    const firstTime = this.record.steps?.reportEmpty?.state !== 'Done';
    this.record.phase = 'HostEmpty';
    this.record.hostEmptyTime ??= this.iso();
    this.condition = {
      status: 'True',
      reason: MaintenanceConditionReason.HostEmpty,
      message: `no server is left on ${this.host.novaHost}: it may be taken down`,
    };
    if (firstTime) {
      const round = await sendAll(
        this.ports,
        this.timing,
        this.pause,
        this.hostWide('maintenance.host-empty'),
        () => this.stopped,
      );
      (this.record.steps as Record<string, MaintenanceStep>).reportEmpty = {
        state: 'Done',
        message: `host empty; ${roundMessage(round)}`,
        time: this.iso(),
      };
      void this.ports.event(this.host.node, 'Normal', reasons.hostEmpty, this.condition.message);
    }
    await this.save();
  }

  /** One host-wide notification per consumer, listing the session's servers it may see. */
  private hostWide(kind: MaintenanceKind): Outgoing[] {
    return this.host.targets.map((target) => ({
      target,
      notification: prepareMaintenanceNotification(target.format, {
        ...this.common(kind, target.name),
        servers: (this.record.servers ?? [])
          .filter((s) => targetWants(target.projects, s.project))
          .map((s) => ({ id: s.id, projectId: s.project })),
      }),
    }));
  }

  private async exit(): Promise<void> {
    this.ending = false; // the exit steps themselves must not be cut short
    this.record.phase = 'Completing';
    const disabled =
      this.record.steps?.disableService?.state === 'Done' && this.record.serviceWasDown !== true;
    if (disabled) {
      await this.step('enableService', async () => {
        await this.host.nova.enableService(
          this.host.novaHost,
          this.host.serviceId !== undefined ? { serviceId: this.host.serviceId } : {},
        );
        void this.ports.event(
          this.host.node,
          'Normal',
          reasons.serviceEnabled,
          `nova-compute on ${this.host.novaHost} enabled`,
        );
        return 'nova-compute enabled';
      });
    } else {
      (this.record.steps as Record<string, MaintenanceStep>).enableService = {
        state: 'Skipped',
        message:
          this.record.serviceWasDown === true
            ? 'nova-compute was already disabled or forced down before maintenance: left as it was'
            : 'the service was not disabled by this maintenance',
        time: this.iso(),
      };
    }
    await this.step('notifyComplete', async () =>
      roundMessage(
        await sendAll(
          this.ports,
          this.timing,
          this.pause,
          this.hostWide('maintenance.complete'),
          () => this.stopped,
        ),
      ),
    );
    if (this.stopped) return;
    this.record.phase = 'Complete';
    this.record.completedTime = this.iso();
    this.condition = {
      status: 'False',
      reason: MaintenanceConditionReason.MaintenanceEnded,
      message: 'not in maintenance',
    };
    await this.save();
    void this.ports.event(
      this.host.node,
      'Normal',
      reasons.completed,
      `maintenance of ${this.host.novaHost} complete (session ${this.sessionId})`,
    );
  }

  private iso(): string {
    return new Date(this.ports.now()).toISOString();
  }

  private async save(): Promise<void> {
    if (this.stopped) return;
    try {
      const condition = JSON.stringify(this.condition ?? null);
      const changed = condition !== this.writtenCondition;
      this.writtenCondition = condition;
      await this.ports.writeStatus(
        this.host.node,
        structuredClone(this.record),
        changed ? this.condition : undefined,
      );
    } catch (err) {
      this.ports.log.warn('maintenance status write failed', { node: this.host.node, error: errorText(err) });
    }
  }
}

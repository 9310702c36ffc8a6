// Level-triggered driver of every host's maintenance on the leader: given what each host wants (its
// HostHealth spec.maintenance, its Node's cordon, the policy's followNodeCordon) and what status records,
// it starts, resumes or ends one MaintenanceJob per host, and routes consumers' answers by session id.
import type { HostMaintenanceSpec, MaintenancePolicy, MaintenanceStatus } from '../api/maintenance-types.js';
import type { NotifyTarget } from '../api/types.js';
import type { NovaMaintenanceApi } from '../openstack/index.js';
import { errorText } from '../util/error-text.js';
import type { MaintenanceAnswer } from './answers.js';
import type { AnswerSink } from './answer-http.js';
import { MaintenanceJob, type AnswerOutcome } from './job.js';
import type { MaintenancePorts, MaintenanceTiming } from './ports.js';

export interface HostView {
  node: string;
  novaHost: string;
  serviceId?: string;
  policyName: string;
  policy: MaintenancePolicy;
  targets: NotifyTarget[];
  spec: HostMaintenanceSpec;
  /** The Node's spec.unschedulable. */
  cordoned: boolean;
  prior?: MaintenanceStatus;
}

export interface ManagerDeps {
  ports: MaintenancePorts;
  timing: MaintenanceTiming;
  /** The policy's Nova client. */
  novaFor(policyName: string): Promise<NovaMaintenanceApi>;
  /** The consumer's HMAC key, or undefined when its target has no secretRef. */
  keyFor(target: NotifyTarget): Promise<Buffer | undefined>;
  /** Base URL consumers reach the inspector at, e.g. http://doctor-inspector.doctor.svc:12345 */
  replyBaseUrl(): string;
}

interface Entry {
  job?: MaintenanceJob;
  /** Set while the job is being built (the Nova client is fetched). */
  building?: Promise<void>;
  ending?: Promise<void>;
  targets: NotifyTarget[];
}

/** What a host wants: no maintenance, or maintenance started by its spec, its cordon or both. */
export function wantedTrigger(
  view: Pick<HostView, 'spec' | 'cordoned' | 'policy'>,
): MaintenanceStatus['trigger'] | undefined {
  const bySpec = view.spec.enabled;
  const byCordon = view.cordoned && view.policy.followNodeCordon;
  if (bySpec && byCordon) return 'both';
  if (bySpec) return 'spec';
  return byCordon ? 'cordon' : undefined;
}

export class MaintenanceManager implements Omit<AnswerSink, 'accepting'> {
  private readonly entries = new Map<string, Entry>();
  private stopped = false;

  constructor(private readonly deps: ManagerDeps) {}

  /**
   * Applies what every host wants now. Hosts not listed are released (their policy or HostHealth is gone,
   * the node left the policy, Nova actions were removed): their maintenance ends with the exit steps, so
   * nova-compute is not left disabled with nobody to enable it. Two kinds are exceptions: `unseen` hosts
   * (what they want is unknown, e.g. their Node is missing) are left as they are, and `paused` ones (their
   * policy is paused) are stopped where they are, their record kept to resume from.
   */
  sync(
    hosts: HostView[],
    unseen: ReadonlySet<string> = new Set(),
    paused: ReadonlySet<string> = new Set(),
  ): void {
    if (this.stopped) return;
    const listed = new Set(hosts.map((h) => h.node));
    for (const [node, entry] of this.entries) {
      if (listed.has(node) || unseen.has(node) || entry.ending !== undefined) continue;
      if (entry.job !== undefined && !paused.has(node)) {
        this.finish(node, entry, entry.job);
        continue;
      }
      entry.job?.stop();
      this.entries.delete(node);
    }
    for (const host of hosts) this.syncHost(host);
  }

  private syncHost(view: HostView): void {
    const trigger = wantedTrigger(view);
    const entry = this.entries.get(view.node);
    const unfinished = view.prior !== undefined && view.prior.phase !== 'Complete';
    if (trigger !== undefined) {
      if (entry !== undefined) {
        entry.targets = view.targets;
        return;
      }
      // A session that ended while this one was away is not resumed: a new one starts.
      this.build(view, trigger, unfinished ? view.prior : undefined, 'start');
      return;
    }
    if (entry?.job !== undefined && entry.ending === undefined) {
      this.finish(view.node, entry, entry.job);
    } else if (entry === undefined && unfinished) {
      // Maintenance ended while no operator was leading: run only the exit steps.
      this.build(view, view.prior?.trigger ?? 'spec', view.prior, 'end');
    }
  }

  private build(
    view: HostView,
    trigger: MaintenanceStatus['trigger'],
    prior: MaintenanceStatus | undefined,
    then: 'start' | 'end',
  ): void {
    const entry: Entry = { targets: view.targets };
    this.entries.set(view.node, entry);
    entry.building = (async () => {
      const nova = await this.deps.novaFor(view.policyName);
      if (this.stopped || this.entries.get(view.node) !== entry) return;
      const job = new MaintenanceJob(
        this.deps.ports,
        {
          node: view.node,
          novaHost: view.novaHost,
          ...(view.serviceId !== undefined ? { serviceId: view.serviceId } : {}),
          nova,
          targets: view.targets,
          policy: view.policy,
          spec: view.spec,
          trigger,
          replyUrl: (session, consumer) =>
            `${this.deps.replyBaseUrl()}/maintenance/v1/${encodeURIComponent(session)}/${encodeURIComponent(consumer)}`,
        },
        this.deps.timing,
        prior,
      );
      entry.job = job;
      if (then === 'start') void job.start();
      else this.finish(view.node, entry, job);
    })().catch((err: unknown) => {
      this.deps.ports.log.error('maintenance could not start', { node: view.node, error: errorText(err) });
      void this.deps.ports.event(
        view.node,
        'Warning',
        'MaintenanceStepFailed',
        `maintenance could not start: ${errorText(err)}`,
      );
      // Forget the entry so the next sync tries again.
      if (this.entries.get(view.node) === entry) this.entries.delete(view.node);
    });
  }

  private finish(node: string, entry: Entry, job: MaintenanceJob): void {
    entry.ending = job.end().finally(() => {
      if (this.entries.get(node) === entry) this.entries.delete(node);
    });
  }

  private bySession(sessionId: string): Entry | undefined {
    return [...this.entries.values()].find((e) => e.job?.sessionId === sessionId);
  }

  async keyFor(sessionId: string, consumer: string): Promise<Buffer | 'unsigned' | undefined> {
    const target = this.bySession(sessionId)?.targets.find((t) => t.name === consumer);
    if (target === undefined) return undefined;
    return (await this.deps.keyFor(target)) ?? 'unsigned';
  }

  async answer(sessionId: string, consumer: string, answer: MaintenanceAnswer): Promise<AnswerOutcome> {
    const job = this.bySession(sessionId)?.job;
    if (job === undefined) return { status: 404, message: `no maintenance session ${sessionId}` };
    return job.answer(consumer, answer);
  }

  /** Settles when every host's job has nothing left to do now (tests, benchmarks). */
  async settled(node: string): Promise<void> {
    const entry = this.entries.get(node);
    await entry?.building;
    await entry?.ending;
  }

  stop(): void {
    this.stopped = true;
    for (const entry of this.entries.values()) entry.job?.stop();
    this.entries.clear();
  }
}

// A host-down remediation with nothing real behind it: a scratch executor whose ports keep everything in
// memory (status, taint, Events, Secrets, deliveries) and a Nova in memory. It runs the code a fault runs
// (job, steps, force-down and reset requests, notification bodies, status batching), so that a real
// fault is not the first time V8 meets that code. Nothing leaves the process and nothing outlives it:
// the executor, its Nova client and its metrics registry are its own and dropped at the end.
import type { FaultPolicy } from '../api/types.js';
import { RehearsalNova } from '../openstack/rehearsal-nova.js';
import { silentLogger } from '../observability/logger.js';
import { RemediationExecutor, type RemediationDeps } from './executor.js';
import type { HostDownInput } from './host-down-job.js';
import { createRemediationMetrics } from './metrics.js';
import { withTimeout } from './job-context.js';
import type { SecretReader } from './ports.js';

export interface HostDownRehearsal {
  forcedDown: boolean;
  serversReset: number;
  /** Force-down and reset requests the in-memory Nova answered. */
  novaWrites: number;
  notificationsDelivered: number;
}

/** How long a rehearsal may wait for its notifications and last status write before it stops. */
const settleMs = 2_000;

/** Every Secret and ConfigMap key reads as this text. */
const scratchSecrets: SecretReader = {
  read: () => Promise.resolve('rehearsal'),
  readAll: () => Promise.resolve({}),
  readConfigMap: () => Promise.resolve('rehearsal'),
};

/**
 * The policy as the rehearsal uses it: its actions, with a Secret reference that the scratch Secrets
 * answer, and consumers without CA bundles (no TLS pool is built for a consumer nobody calls).
 */
function scratchPolicy(policy: FaultPolicy): FaultPolicy {
  const nova = policy.spec.actions.nova;
  return {
    ...policy,
    metadata: { name: policy.metadata.name },
    spec: {
      ...policy.spec,
      actions: {
        ...policy.spec.actions,
        ...(nova !== undefined
          ? {
              nova: {
                forceDown: nova.forceDown,
                resetServers: nova.resetServers,
                disabledReason: nova.disabledReason,
                unforceOnRecovery: nova.unforceOnRecovery,
                cloud: 'rehearsal',
                cloudSecretRef: { name: 'rehearsal', key: 'clouds.yaml' },
              },
            }
          : {}),
        notify: policy.spec.actions.notify.map(({ caBundle: _ca, ...target }) => target),
      },
    },
  };
}

/** The Kubernetes side of remediation; the operator passes its real adapters over parts that write
 * nowhere, so that their code is rehearsed too. */
export type RehearsalKubePorts = Pick<
  RemediationDeps,
  'statusWriter' | 'statusReader' | 'tainter' | 'events'
>;

/** Ports that keep everything in memory. */
export const inMemoryKubePorts: RehearsalKubePorts = {
  statusWriter: { patchStatus: () => Promise.resolve() },
  statusReader: { readStatus: () => Promise.resolve(undefined) },
  tainter: {
    ensureTaint: () => Promise.resolve('added'),
    removeTaint: () => Promise.resolve('removed'),
  },
  events: { record: () => Promise.resolve() },
};

/** Remediates `input` against in-memory ports and a Nova with `servers` servers on its host. */
export async function rehearseHostDown(
  input: HostDownInput,
  servers: number,
  kube: RehearsalKubePorts = inMemoryKubePorts,
): Promise<HostDownRehearsal> {
  const nova = new RehearsalNova({ [input.novaHost]: servers });
  const policy = scratchPolicy(input.policy);
  const executor = new RemediationExecutor({
    ...kube,
    secrets: scratchSecrets,
    logger: silentLogger(),
    novaFactory: () => Promise.resolve({ nova: nova.client, close: () => undefined }),
    deliver: () => Promise.resolve({ ok: true, status: 202, retryable: false, durationMs: 0 }),
    metrics: createRemediationMetrics(),
  });
  try {
    await executor.warmUp(policy, [input.novaHost]);
    const result = await executor.hostDown({ ...input, policy });
    await withTimeout(executor.settled(input.node), settleMs);
    return {
      forcedDown: result.forcedDown,
      serversReset: result.serversMarkedError,
      novaWrites: nova.writes,
      notificationsDelivered: result.notificationsDelivered,
    };
  } finally {
    await executor.stop();
  }
}

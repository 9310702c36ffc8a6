// Synthetic monitor heartbeats at the production rate: one per monitor Pod of a policy every period
// (the monitor's default 5 s; 1000 monitors -> 200 per second), spread evenly over the period. Each is
// the body the monitor sends (src/monitor/report.ts), signed with a token the API server issues for that
// monitor Pod (bound to the Pod, so TokenReview names its node), exactly what the DaemonSet would mount;
// so the operator's real authentication and intake handle them.
import { Agent, request } from 'node:http';
import type * as k8s from '@kubernetes/client-node';
import { EventFactory } from '../../src/monitor/report.js';
import { watchedBy } from '../../src/contracts/observer-ring.js';
import type { KubeClients } from '../../tools/cluster/kube/client.js';

export interface HeartbeatOptions {
  kube: KubeClients;
  namespace: string;
  policy: string;
  eventsUrl: string;
  peers: number;
  periodSeconds: number;
  log: (s: string) => void;
}

export interface HeartbeatCounts {
  sent: number;
  accepted: number;
  /** Distinct monitors with at least one accepted heartbeat (each token reviewed once). */
  monitorsHeard: number;
  /** Non-2xx answers and transport errors, by status (or error code). */
  failed: Record<string, number>;
}

export interface HeartbeatLoad {
  monitors: number;
  /** Heartbeats per second across all monitors. */
  rate: number;
  counts(): HeartbeatCounts;
  stop(): Promise<HeartbeatCounts>;
}

interface Monitor {
  node: string;
  token: string;
  factory: EventFactory;
  peers: Array<{ name: string }>;
}

const tickMs = 20;
const requestTimeoutMs = 5000;
const maxInFlight = 256;

function tokenAudience(pod: k8s.V1Pod): string[] {
  for (const volume of pod.spec?.volumes ?? []) {
    for (const source of volume.projected?.sources ?? []) {
      const audience = source.serviceAccountToken?.audience;
      if (audience) return [audience];
    }
  }
  return [];
}

async function issueTokens(options: HeartbeatOptions, pods: k8s.V1Pod[]): Promise<Map<string, string>> {
  const tokens = new Map<string, string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < pods.length) {
      const pod = pods[next++]!;
      const issued = await options.kube.core.createNamespacedServiceAccountToken({
        name: pod.spec!.serviceAccountName!,
        namespace: options.namespace,
        body: {
          spec: {
            audiences: tokenAudience(pod),
            expirationSeconds: 3600,
            boundObjectRef: {
              kind: 'Pod',
              apiVersion: 'v1',
              name: pod.metadata!.name!,
              uid: pod.metadata!.uid!,
            },
          },
        },
      });
      tokens.set(pod.spec!.nodeName!, issued.status!.token!);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return tokens;
}

export async function startHeartbeats(options: HeartbeatOptions): Promise<HeartbeatLoad> {
  const pods = (
    await options.kube.core.listNamespacedPod({
      namespace: options.namespace,
      labelSelector: `doctor.io/policy=${options.policy}`,
    })
  ).items.filter((p) => p.spec?.nodeName);
  if (pods.length === 0) throw new Error(`no monitor Pods of ${options.policy} to send heartbeats as`);
  options.log(`  issuing ${pods.length} monitor tokens`);
  const tokens = await issueTokens(options, pods);
  const nodes = [...tokens.keys()].sort().map((name) => ({ name }));
  const monitors: Monitor[] = nodes.map(({ name }) => ({
    node: name,
    token: tokens.get(name)!,
    factory: new EventFactory(name),
    peers: watchedBy(nodes, name, options.peers),
  }));

  const url = new URL(options.eventsUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const counts: HeartbeatCounts = { sent: 0, accepted: 0, monitorsHeard: 0, failed: {} };
  const heard = new Set<string>();
  const fail = (why: string): void => void (counts.failed[why] = (counts.failed[why] ?? 0) + 1);
  let inFlight = 0;

  const send = (m: Monitor): void => {
    if (inFlight >= maxInFlight) return fail('skipped: too many in flight');
    const body = JSON.stringify([
      m.factory.heartbeat(
        Date.now(),
        false,
        m.peers.map((p) => ({ hostname: p.name, status: 'up' as const })),
      ),
    ]);
    inFlight++;
    counts.sent++;
    let settled = false;
    const settle = (outcome: string | undefined): void => {
      if (settled) return;
      settled = true;
      inFlight--;
      if (outcome === undefined) {
        counts.accepted++;
        if (!heard.has(m.node)) {
          heard.add(m.node);
          counts.monitorsHeard = heard.size;
        }
      } else fail(outcome);
    };
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        timeout: requestTimeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${m.token}`,
        },
      },
      (res) => {
        res.resume();
        res.once('end', () => {
          const status = res.statusCode ?? 0;
          settle(status >= 200 && status < 300 ? undefined : String(status));
        });
      },
    );
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', (err: NodeJS.ErrnoException) => settle(err.code ?? err.message));
    req.end(body);
  };

  // Monitor i sends at i/N of every period: an even stream, as independent monitors give.
  const periodMs = options.periodSeconds * 1000;
  const started = Date.now();
  let due = 0;
  const timer = setInterval(() => {
    const shouldHaveSent = Math.floor(((Date.now() - started) / periodMs) * monitors.length);
    while (due < shouldHaveSent) send(monitors[due++ % monitors.length]!);
  }, tickMs);

  return {
    monitors: monitors.length,
    rate: monitors.length / options.periodSeconds,
    counts: () => ({ ...counts, failed: { ...counts.failed } }),
    async stop() {
      clearInterval(timer);
      const deadline = Date.now() + requestTimeoutMs;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      agent.destroy();
      return { ...counts, failed: { ...counts.failed } };
    },
  };
}

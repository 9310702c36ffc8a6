// Rehearses the fault path, so that a real fault is not the first time V8 runs it: lazy compilation, cold
// type feedback and parts of libraries loaded on first use (the body parser's encodings) cost the first
// fault after a start several times what later ones take. A Doctor report is POSTed over loopback to a
// scratch /events app whose inspector (engine included) decides on made-up hosts, and the host-down
// remediation runs, through the leader's own Kubernetes adapters and turn gate, over in-memory parts and
// an in-memory Nova. Every part is its own instance: nothing reaches Kubernetes, Nova, a consumer, the
// operator's engines, metrics or logs.
import type { AddressInfo } from 'node:net';
import { defaultedSpecFields } from '../api/policy-defaults.js';
import { groupVersion, type FaultPolicy, type HostHealth } from '../api/types.js';
import { noAuthentication } from '../intake/authenticator.js';
import { createInspectorApp } from '../intake/http.js';
import { createIntakeMetrics } from '../intake/metrics.js';
import { silentLogger } from '../observability/logger.js';
import {
  inMemoryKubePorts,
  rehearseHostDown,
  type HostDownRehearsal,
  type RehearsalKubePorts,
} from '../remediation/rehearsal.js';
import { CoalescingStatusWriter } from '../runtime/coalescing-status-writer.js';
import { listen } from '../runtime/health-server.js';
import type { ReadCache } from '../runtime/read-cache.js';
import { HttpAgents, httpRequest } from '../util/http-client.js';
import { InspectorService, type Remediation } from './inspector-service.js';
import { cachedHostHealthStatusReader, hostHealthStatusWriter } from './remediation-adapters.js';
import { eventsAfterThisTurn, taintsAfterThisTurn, TurnGate } from './remediation-wiring.js';

/** Made-up hosts: names no Node has. */
export const rehearsalHosts = ['doctor-rehearsal-0', 'doctor-rehearsal-1', 'doctor-rehearsal-2'];

/** Servers on the rehearsed host: a fault's worth of resets and notifications. */
const defaultServers = 50;

export interface RehearsalOutcome {
  /** The scratch /events answer. */
  status: number;
  /** What the rehearsed remediation did; absent when the scratch inspector declared nothing. */
  remediation?: HostDownRehearsal;
  durationMs: number;
}

/** A policy as most are written: Nova force-down and resets, a taint, one consumer of each format. */
export const typicalPolicy: FaultPolicy = {
  apiVersion: groupVersion,
  kind: 'FaultPolicy',
  metadata: { name: 'doctor-rehearsal' },
  spec: {
    nodeSelector: {},
    ...defaultedSpecFields(),
    actions: {
      nova: {
        cloud: 'rehearsal',
        forceDown: true,
        resetServers: true,
        disabledReason: 'doctor: host down',
        unforceOnRecovery: true,
      },
      node: { taint: true },
      notify: (['aodh', 'cloudevents'] as const).map((format) => ({
        name: format,
        url: `http://${format}.rehearsal.invalid/`,
        format,
        secretRef: { name: 'rehearsal', key: 'hmac' },
        timeoutMilliseconds: 5_000,
        projects: [],
      })),
    },
  },
};

/** Doctor's sample monitor body: one event, no observer field. */
function doctorReport(host: string, now: number): string {
  return JSON.stringify([
    {
      id: 'rehearsal',
      time: new Date(now).toISOString(),
      type: 'compute.host.down',
      details: { hostname: host, status: 'down', monitor: 'rehearsal', monitor_event_id: 'rehearsal' },
    },
  ]);
}

function cacheOf<T extends { metadata: { name: string } }>(items: T[]): ReadCache<T> {
  return { list: () => items, get: (name) => items.find((item) => item.metadata.name === name) };
}

/** The made-up hosts' HostHealths under the policy named `policyName`, in memory only. */
export function scratchHostHealths(policyName: string): HostHealth[] {
  return rehearsalHosts.map((host): HostHealth => ({
    apiVersion: groupVersion,
    kind: 'HostHealth',
    metadata: { name: host },
    spec: { policy: policyName, maintenance: { enabled: false } },
    status: { novaHost: host },
  }));
}

/** An InspectorService over made-up hosts of `policy`, writing nowhere; its decisions go to `remediation`. */
function scratchInspector(
  policy: FaultPolicy,
  hostHealths: HostHealth[],
  remediation: Remediation,
): InspectorService {
  const name = policy.metadata.name;
  const scratchPolicy: FaultPolicy = {
    apiVersion: policy.apiVersion,
    kind: policy.kind,
    metadata: { name },
    // Room for the one host it declares down, whatever the policy's limit; never paused.
    spec: { ...policy.spec, protection: { maxUnhealthy: rehearsalHosts.length }, paused: false },
  };
  const log = silentLogger();
  return new InspectorService({
    policies: cacheOf([scratchPolicy]),
    hostHealths: cacheOf(hostHealths),
    hostStatus: new CoalescingStatusWriter(() => Promise.resolve(), log),
    updatePolicyStatus: () => Promise.resolve(),
    events: { record: () => Promise.resolve() },
    remediation,
    log,
  });
}

/**
 * The leader's Kubernetes adapters (remediation-adapters.ts, remediation-wiring.ts), as a fault uses them,
 * over parts that write nowhere: status read from a cache of the made-up hosts and written to a writer
 * that drops it, taints and Events deferred to the next turn and then dropped.
 */
export function scratchKubePorts(hostHealths: HostHealth[]): RehearsalKubePorts {
  return {
    statusWriter: hostHealthStatusWriter(new CoalescingStatusWriter(() => Promise.resolve(), silentLogger())),
    statusReader: cachedHostHealthStatusReader(cacheOf(hostHealths)),
    tainter: taintsAfterThisTurn(inMemoryKubePorts.tainter),
    events: eventsAfterThisTurn(inMemoryKubePorts.events),
  };
}

/** One rehearsal of a fault under `policy`'s detection and actions (a typical policy's by default). */
export async function rehearseFaultPath(
  policy: FaultPolicy = typicalPolicy,
  servers = defaultServers,
): Promise<RehearsalOutcome> {
  const started = performance.now();
  let remediated: Promise<HostDownRehearsal> | undefined;
  const turns = new TurnGate();
  const hostHealths = scratchHostHealths(policy.metadata.name);
  const inspector = scratchInspector(policy, hostHealths, {
    // As LeaderRemediation.hostDown: one turn of the event loop per job, then the executor.
    hostDown: async (input) => {
      await turns.take();
      remediated = rehearseHostDown(input, servers, scratchKubePorts(hostHealths));
      await remediated;
    },
    hostRecovered: () => Promise.resolve(),
    stop: () => Promise.resolve(),
  });
  inspector.start();
  const app = createInspectorApp({
    authenticator: noAuthentication(),
    sink: inspector,
    log: silentLogger(),
    metrics: createIntakeMetrics(),
  });
  const agents = new HttpAgents();
  const server = await listen(app, 0, '127.0.0.1');
  try {
    const { port } = server.address() as AddressInfo;
    const res = await httpRequest({
      method: 'POST',
      url: `http://127.0.0.1:${port}/events`,
      headers: { 'content-type': 'application/json' },
      body: doctorReport(rehearsalHosts[0]!, Date.now()),
      timeoutMs: 5_000,
      agents,
    });
    const remediation = await remediated;
    return {
      status: res.status,
      ...(remediation !== undefined ? { remediation } : {}),
      durationMs: performance.now() - started,
    };
  } finally {
    agents.destroy();
    server.closeAllConnections();
    server.close();
    await inspector.stop();
  }
}

// Shared steps of the operator integration tests: reading doctor.io objects and waiting on them.
import assert from 'node:assert/strict';
import type * as k8s from '@kubernetes/client-node';
import { crdApi, type FaultPolicy, type HostHealth } from '../../../src/api/types.js';
import { waitFor } from '../../../tools/cluster/wait.js';
import type { KubeClients } from '../../../tools/cluster/kube/client.js';

async function getDoctorObject<T>(kube: KubeClients, plural: string, name: string): Promise<T | undefined> {
  try {
    return (await kube.custom.getClusterCustomObject({ ...crdApi, plural, name })) as T;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

export const getPolicy = (kube: KubeClients, name: string) =>
  getDoctorObject<FaultPolicy>(kube, 'faultpolicies', name);

export const getHostHealth = (kube: KubeClients, name: string) =>
  getDoctorObject<HostHealth>(kube, 'hosthealths', name);

export async function listHostHealths(kube: KubeClients, policy: string): Promise<HostHealth[]> {
  const list = (await kube.custom.listClusterCustomObject({ ...crdApi, plural: 'hosthealths' })) as {
    items: HostHealth[];
  };
  return list.items
    .filter((h) => h.spec.policy === policy)
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

export async function waitForHostHealths(
  kube: KubeClients,
  policy: string,
  names: string[],
  timeoutMs = 60_000,
): Promise<HostHealth[]> {
  const want = [...names].sort().join(',');
  return waitFor(
    `HostHealths of ${policy} to be exactly [${want}]`,
    async () => {
      const items = await listHostHealths(kube, policy);
      // Complete once the reconciler's first status write (the Nova host) has landed too.
      const complete = items.every((h) => h.status?.novaHost !== undefined);
      return complete && items.map((h) => h.metadata.name).join(',') === want ? items : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  );
}

export function conditionOf(policy: FaultPolicy | undefined, type: string) {
  return policy?.status?.conditions?.find((c) => c.type === type);
}

export async function waitForPolicyCondition(
  kube: KubeClients,
  name: string,
  type: string,
  status: 'True' | 'False',
  timeoutMs = 60_000,
): Promise<FaultPolicy> {
  return waitFor(
    `FaultPolicy ${name} condition ${type}=${status}`,
    async () => {
      const policy = await getPolicy(kube, name);
      return conditionOf(policy, type)?.status === status ? policy : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  );
}

export async function listMonitorPods(
  kube: KubeClients,
  namespace: string,
  policy: string,
): Promise<k8s.V1Pod[]> {
  const list = await kube.core.listNamespacedPod({ namespace, labelSelector: `doctor.io/policy=${policy}` });
  return list.items;
}

export async function eventsFor(kube: KubeClients, kind: string, name: string): Promise<k8s.CoreV1Event[]> {
  const list = await kube.core.listNamespacedEvent({ namespace: 'default' });
  return list.items.filter((e) => e.involvedObject.kind === kind && e.involvedObject.name === name);
}

export function policyYaml(name: string, selectorLabel: string, extra = ''): string {
  return `apiVersion: doctor.io/v1alpha1
kind: FaultPolicy
metadata: {name: ${name}}
spec:
  nodeSelector: {matchLabels: {${selectorLabel}: enabled}}
${extra}`;
}

/** An external monitor's report (no observer) that the host is down, accepted by the inspector. */
export async function postDownReport(url: string, host: string): Promise<void> {
  const body = JSON.stringify([
    {
      id: `down-${host}-${Date.now()}`,
      time: new Date().toISOString(),
      type: 'compute.host.down',
      details: { hostname: host, status: 'down', monitor: 'sample', monitor_event_id: `down-${host}` },
    },
  ]);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  assert.equal(res.status, 200, await res.text());
}

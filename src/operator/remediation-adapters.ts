// The Kubernetes side of remediation (src/remediation/ports.ts): HostHealth status through the same
// per-host ordered writer the inspector uses (so "Down" always lands before the progress after it),
// status read from the informer cache, Secrets of the operator's own namespace, and Node taints written with
// a resourceVersion precondition so a concurrent kubelet or admin edit is never lost.
import * as k8s from '@kubernetes/client-node';
import type { HostHealth } from '../api/types.js';
import type {
  HostHealthStatusReader,
  HostHealthStatusWriter,
  NodeTaint,
  NodeTainter,
  SecretReader,
} from '../remediation/ports.js';
import type { RemediationView } from '../remediation/status.js';
import { isConflict, isNotFound } from '../runtime/api-errors.js';
import type { CoalescingStatusWriter } from '../runtime/coalescing-status-writer.js';
import type { ReadCache } from '../runtime/read-cache.js';
import { fromStoredStatus, toStoredStatus } from './notification-status.js';

const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

export function hostHealthStatusWriter(writer: CoalescingStatusWriter): HostHealthStatusWriter {
  return {
    patchStatus: (name, patch) => writer.write(name, toStoredStatus(patch as Record<string, unknown>)),
  };
}

/**
 * Status from the informer cache: no API round trip on the fault path. The cache holds what the API
 * server had when this replica took the lease (its initial list) and every change since; the executor
 * adds what its own jobs know and may not have seen come back yet.
 */
export function cachedHostHealthStatusReader(hostHealths: ReadCache<HostHealth>): HostHealthStatusReader {
  return {
    readStatus: (name) =>
      Promise.resolve(
        fromStoredStatus(
          structuredClone(hostHealths.get(name)?.status) as Record<string, unknown> | undefined,
        ) as RemediationView | undefined,
      ),
  };
}

/**
 * Secrets (and ConfigMaps) of the operator's namespace. The fault path reads clouds.yaml, HMAC keys and
 * CA bundles several times per fault; a fresh GET each time costs a round trip to the API server on the
 * critical path. Values are kept for `maxAgeMs` and refreshed in the background once older than
 * `refreshAfterMs`, so a rotated Secret takes effect within seconds while a fault never waits for the
 * API server.
 */
export function namespaceSecretReader(
  core: k8s.CoreV1Api,
  namespace: string,
  options: { refreshAfterMs?: number; maxAgeMs?: number; now?: () => number } = {},
): SecretReader {
  const refreshAfterMs = options.refreshAfterMs ?? 5_000;
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  const now = options.now ?? Date.now;
  type Kind = 'Secret' | 'ConfigMap';
  const cache = new Map<string, { data: Record<string, string>; fetchedAt: number }>();
  const refreshing = new Set<string>();

  async function fetchData(kind: Kind, name: string): Promise<Record<string, string>> {
    const cacheKey = `${kind}/${name}`;
    try {
      const data =
        kind === 'Secret'
          ? Object.fromEntries(
              Object.entries((await core.readNamespacedSecret({ name, namespace })).data ?? {}).map(
                ([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')],
              ),
            )
          : ((await core.readNamespacedConfigMap({ name, namespace })).data ?? {});
      cache.set(cacheKey, { data, fetchedAt: now() });
      return data;
    } catch (err) {
      if (isNotFound(err)) {
        cache.delete(cacheKey);
        throw new Error(`${kind} ${namespace}/${name} not found (create it in the operator's namespace)`, {
          cause: err,
        });
      }
      throw err;
    }
  }

  async function dataOf(kind: Kind, name: string): Promise<Record<string, string>> {
    const cacheKey = `${kind}/${name}`;
    const cached = cache.get(cacheKey);
    const age = cached ? now() - cached.fetchedAt : Infinity;
    if (cached && age < maxAgeMs) {
      if (age > refreshAfterMs && !refreshing.has(cacheKey)) {
        refreshing.add(cacheKey);
        fetchData(kind, name)
          .catch(() => undefined)
          .finally(() => refreshing.delete(cacheKey));
      }
      return cached.data;
    }
    return fetchData(kind, name);
  }

  async function valueOf(kind: Kind, name: string, key: string): Promise<string> {
    const value = (await dataOf(kind, name))[key];
    if (value === undefined) throw new Error(`${kind} ${namespace}/${name} has no key "${key}"`);
    return value;
  }

  return {
    read: (name, key) => valueOf('Secret', name, key),
    readAll: (name) => dataOf('Secret', name),
    readConfigMap: (name, key) => valueOf('ConfigMap', name, key),
  };
}

export function nodeTainter(core: k8s.CoreV1Api, maxAttempts = 5): NodeTainter {
  /** Read-modify-write of spec.taints, retried on a write conflict. */
  async function update<T>(
    name: string,
    change: (taints: k8s.V1Taint[]) => { taints: k8s.V1Taint[]; result: T } | T,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const node = await core.readNode({ name });
      const outcome = change([...(node.spec?.taints ?? [])]);
      if (typeof outcome !== 'object' || outcome === null || !('taints' in outcome)) return outcome;
      try {
        await core.patchNode(
          {
            name,
            body: {
              metadata: { resourceVersion: node.metadata?.resourceVersion },
              spec: { taints: outcome.taints },
            },
          },
          mergePatch,
        );
        return outcome.result;
      } catch (err) {
        if (!isConflict(err) || attempt >= maxAttempts) throw err;
      }
    }
  }

  return {
    ensureTaint(name, taint: NodeTaint) {
      return update(name, (taints) => {
        const index = taints.findIndex((t) => t.key === taint.key && t.effect === taint.effect);
        if (index >= 0 && taints[index]!.value === taint.value) return 'present' as const;
        const next = { key: taint.key, value: taint.value, effect: taint.effect, timeAdded: new Date() };
        if (index >= 0) taints[index] = next;
        else taints.push(next);
        return { taints, result: index >= 0 ? ('updated' as const) : ('added' as const) };
      });
    },
    async removeTaint(name, key, effect) {
      try {
        return await update(name, (taints) => {
          const kept = taints.filter((t) => !(t.key === key && t.effect === effect));
          if (kept.length === taints.length) return 'absent' as const;
          return { taints: kept, result: 'removed' as const };
        });
      } catch (err) {
        if (isNotFound(err)) return 'absent';
        throw err;
      }
    },
  };
}

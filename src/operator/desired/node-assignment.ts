// Which policy owns which node. A node selected by two policies is not fought over: the policy that
// already holds its HostHealth keeps it (else the oldest policy, then by name), and every policy that
// selects it reports the conflict.
import type * as k8s from '@kubernetes/client-node';
import type { FaultPolicy } from '../../api/types.js';
import { matchesSelector } from './selector.js';

export interface NodeConflict {
  node: string;
  owner: string;
  others: string[];
}

export interface PolicyNodes {
  /** Nodes this policy monitors and holds a HostHealth for, sorted. */
  owned: k8s.V1Node[];
  /** Nodes this policy selects that are also selected by another policy. */
  conflicts: NodeConflict[];
}

function olderFirst(a: FaultPolicy, b: FaultPolicy): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.metadata.name.localeCompare(b.metadata.name);
}

export function assignNodes(
  policies: readonly FaultPolicy[],
  nodes: readonly k8s.V1Node[],
  /** node name -> policy named in its existing HostHealth */
  currentHolder: ReadonlyMap<string, string>,
): Map<string, PolicyNodes> {
  const active = policies.filter((p) => !p.metadata.deletionTimestamp).sort(olderFirst);
  const result = new Map<string, PolicyNodes>(
    active.map((p) => [p.metadata.name, { owned: [], conflicts: [] }]),
  );
  const sortedNodes = [...nodes].sort((a, b) =>
    (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
  );
  for (const node of sortedNodes) {
    const name = node.metadata?.name;
    if (!name) continue;
    const selecting = active.filter((p) => matchesSelector(node.metadata?.labels, p.spec.nodeSelector));
    if (selecting.length === 0) continue;
    const holder = currentHolder.get(name);
    const owner = selecting.find((p) => p.metadata.name === holder) ?? selecting[0]!;
    result.get(owner.metadata.name)!.owned.push(node);
    if (selecting.length > 1) {
      const names = selecting.map((p) => p.metadata.name);
      for (const policy of selecting) {
        result.get(policy.metadata.name)!.conflicts.push({
          node: name,
          owner: owner.metadata.name,
          others: names.filter((n) => n !== policy.metadata.name),
        });
      }
    }
  }
  return result;
}

// Which Node watch events matter to the operator. Kubelets rewrite their Node's status every few seconds
// (heartbeats): at a thousand nodes that is dozens of events a second, and each one that reached the
// policy reconciler would have every policy reconciled again. Policies read a Node's labels and
// addresses; planned maintenance reads whether it is cordoned. Anything else changes nothing here.
import type * as k8s from '@kubernetes/client-node';
import { sameJson } from '../runtime/same-content.js';

export interface NodeChange {
  /** Its existence, labels or addresses changed: the policies must look again. */
  policies: boolean;
  /** It was cordoned or uncordoned (or appeared, or left): planned maintenance must look again. */
  cordon: boolean;
}

interface Seen {
  labels: Readonly<Record<string, string>>;
  addresses: readonly k8s.V1NodeAddress[];
  cordoned: boolean;
}

const noLabels: Readonly<Record<string, string>> = {};
const noAddresses: readonly k8s.V1NodeAddress[] = [];

export class NodeChanges {
  private readonly seen = new Map<string, Seen>();

  classify(node: k8s.V1Node, change: 'add' | 'update' | 'delete'): NodeChange {
    const name = node.metadata?.name ?? '';
    const before = this.seen.get(name);
    if (change === 'delete') {
      this.seen.delete(name);
      return { policies: true, cordon: before?.cordoned !== false };
    }
    const next: Seen = {
      labels: node.metadata?.labels ?? noLabels,
      addresses: node.status?.addresses ?? noAddresses,
      cordoned: node.spec?.unschedulable === true,
    };
    this.seen.set(name, next);
    return {
      policies:
        before === undefined ||
        !sameJson(before.labels, next.labels) ||
        !sameJson(before.addresses, next.addresses),
      cordon: before?.cordoned !== next.cordoned,
    };
  }
}

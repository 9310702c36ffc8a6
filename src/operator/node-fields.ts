// What the operator keeps of a Node. Kubelets (kwok too) rewrite every Node's status every few seconds
// (heartbeats): at a thousand nodes that is some 60 watch events a second, each a whole Node that the
// cache holds until the next one. The operator reads a Node's name, labels, addresses and whether it is
// cordoned (spec.unschedulable), so the cache keeps the metadata but its annotations (which CNI and CSI
// plugins and kubeadm fill, and no policy reads), the spec and the addresses, and drops the rest of the
// status (conditions, images, capacity, node info: most of a Node's size). Less to keep
// is less to copy and mark in every GC; what a watch event drops is not even parsed.
import type * as k8s from '@kubernetes/client-node';
import type { JsonPrune } from '../runtime/json-prune.js';

/** The same trim as `keepPolicyFields`, applied to a watch event's text before it is parsed. */
export const nodePolicyPrune: JsonPrune = {
  metadata: { managedFields: 'drop', annotations: 'drop' },
  status: { '*': 'drop', addresses: 'keep' },
};

/**
 * How long Node events may wait to be handled together. At a thousand heartbeating Nodes, handling
 * them four times a second instead of one by one saved about a quarter of what the Node watch costs the
 * idle operator; a cordon reaches planned maintenance at most this much later.
 */
export const nodeEventBatchMs = 250;

/** Trims a Node in place to the fields the operator reads. */
export function keepPolicyFields(node: k8s.V1Node): k8s.V1Node {
  if (node.metadata?.annotations) delete node.metadata.annotations;
  const addresses = node.status?.addresses;
  if (node.status) node.status = addresses ? { addresses } : {};
  return node;
}

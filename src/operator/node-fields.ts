// What the operator keeps of a Node. Kubelets (kwok too) rewrite every Node's status every few seconds
// (heartbeats): at a thousand nodes that is some 40 watch events a second, each a whole Node that the
// cache holds until the next one. Policies read only a Node's name, labels and addresses, so the cache
// keeps the metadata, the spec and the addresses, and drops the rest of the status (conditions, images,
// capacity, node info: most of a Node's size). Less to keep is less to copy and mark in every GC.
import type * as k8s from '@kubernetes/client-node';

/** Trims a Node in place to the fields the operator reads. */
export function keepPolicyFields(node: k8s.V1Node): k8s.V1Node {
  const addresses = node.status?.addresses;
  if (node.status) node.status = addresses ? { addresses } : {};
  return node;
}

// Who watches whom. Hosts are placed on a ring; each host is observed by the `peers` hosts that follow it
// on the ring (wrapping around), so every host keeps min(peers, n - 1) observers, nobody observes itself,
// and a node joining or leaving changes only the assignments of its ring neighbours.
// The ring is sorted by a hash of the name, not the name itself: nodes named alike usually share a rack
// or a switch, and if they watched each other a rack failure would leave its hosts with no live observer
// (and each outside observer of only-that-rack peers would think itself isolated).
// Pure: the operator can use the same functions to know which observers to expect for a host.
import { sha256Hex } from './sha256.js';

export interface Named {
  name: string;
}

/**
 * Ring keys already computed. The ring is rebuilt on every membership change (a thousand HostHealths
 * appearing one by one), so without this every rebuild hashes every name again. Bounded: emptied when full.
 */
const ringKeys = new Map<string, string>();
export const maxCachedRingKeys = 20_000;

export function ringKey(name: string): string {
  let key = ringKeys.get(name);
  if (key === undefined) {
    if (ringKeys.size >= maxCachedRingKeys) ringKeys.clear();
    key = sha256Hex(name);
    ringKeys.set(name, key);
  }
  return key;
}

function ring<T extends Named>(hosts: readonly T[]): T[] {
  const keyed = hosts.map((host) => ({ host, key: ringKey(host.name) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.host.name < b.host.name ? -1 : 1));
  return keyed.map((k) => k.host);
}

/** Number of observers each host gets among `count` hosts. */
export function observerCount(count: number, peers: number): number {
  return Math.max(0, Math.min(peers, count - 1));
}

/** The hosts that observe `target`: the next `peers` hosts after it on the ring. */
export function observersOf<T extends Named>(hosts: readonly T[], target: string, peers: number): T[] {
  const sorted = ring(hosts);
  const at = sorted.findIndex((h) => h.name === target);
  if (at < 0) return [];
  const k = observerCount(sorted.length, peers);
  return Array.from({ length: k }, (_, i) => sorted[(at + 1 + i) % sorted.length]!);
}

/**
 * The hosts that `observer` must watch: the `peers` hosts before it on the ring (it is among their next
 * `peers`). Empty when the observer is not in the list (a node the policy does not select).
 */
export function watchedBy<T extends Named>(hosts: readonly T[], observer: string, peers: number): T[] {
  const sorted = ring(hosts);
  const at = sorted.findIndex((h) => h.name === observer);
  if (at < 0) return [];
  const k = observerCount(sorted.length, peers);
  const n = sorted.length;
  return Array.from({ length: k }, (_, i) => sorted[(at - 1 - i + n * 2) % n]!);
}

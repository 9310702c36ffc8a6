// The hosts of the rack-failure benchmark and who watches whom. Observers follow the product's own peer
// ring (src/monitor/peers.ts), so the operator's observer assignment and the synthesized reports agree.
import { observersOf, watchedBy } from '../../src/contracts/observer-ring.js';

export const peersPerHost = 3;

/** rack00-host00 .. rackNN-hostMM: `racks` racks of `hostsPerRack` hosts. */
export function hostNames(racks: number, hostsPerRack: number): string[] {
  const pad = (n: number) => String(n).padStart(2, '0');
  return Array.from({ length: racks * hostsPerRack }, (_, i) => {
    return `rack${pad(Math.floor(i / hostsPerRack))}-host${pad(i % hostsPerRack)}`;
  });
}

const named = (hosts: readonly string[]) => hosts.map((name) => ({ name }));

/** The hosts `observer` probes, as its monitor would (its heartbeat lists them). */
export function watchedHosts(hosts: readonly string[], observer: string): string[] {
  return watchedBy(named(hosts), observer, peersPerHost).map((h) => h.name);
}

/** The observers of `host` in ring order. */
export function observersOfHost(hosts: readonly string[], host: string): string[] {
  return observersOf(named(hosts), host, peersPerHost).map((h) => h.name);
}

/**
 * Who reports each failed host down: up to `perHost` of its observers. With `aliveOnly`, observers that
 * failed too are left out, since a dead host reports nothing (a rack failure); a host then reported by a
 * single live observer still reaches quorum once its failed observers are Down and no longer count.
 * Throws when a failed host has no live observer at all: nothing could detect it.
 */
export function downReporters(
  hosts: readonly string[],
  failed: readonly string[],
  perHost: number,
  aliveOnly: boolean,
): Map<string, string[]> {
  const failedSet = new Set(failed);
  const reporters = new Map<string, string[]>();
  for (const host of failed) {
    const candidates = observersOfHost(hosts, host).filter((o) => !aliveOnly || !failedSet.has(o));
    if (candidates.length === 0) throw new Error(`failed host ${host} has no live observer to report it`);
    reporters.set(host, candidates.slice(0, perHost));
  }
  return reporters;
}

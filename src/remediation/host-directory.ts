// What a fault on a monitored host will need from Nova, learnt before the fault: the id of its
// nova-compute service (force-down is then one PUT) and its servers (all pages; reset at once while a live
// listing runs in parallel to catch what changed). Refreshed in the background; a failed refresh keeps
// the previous facts, which are only ever a head start, never the whole truth.
import { mapWithConcurrency } from '../util/concurrency.js';
import type { NovaApi, ServerSummary } from '../openstack/index.js';
import { errorText } from '../util/error-text.js';

/** Hosts listed at once during a refresh: spreads the load on Nova instead of a burst every period. */
const refreshConcurrency = 4;

export interface RefreshOutcome {
  hosts: number;
  services: number;
  failures: string[];
}

export class HostDirectory {
  private readonly serviceIds = new Map<string, string>();
  private readonly servers = new Map<string, ServerSummary[]>();

  serviceId(host: string): string | undefined {
    return this.serviceIds.get(host);
  }

  /** The host's servers as last listed, or undefined when never listed. */
  serversOn(host: string): ServerSummary[] | undefined {
    return this.servers.get(host);
  }

  rememberServiceId(host: string, id: string): void {
    this.serviceIds.set(host, id);
  }

  /** A live listing (at fault time) is the newest truth: it replaces the cached list. */
  rememberServers(host: string, servers: readonly ServerSummary[]): void {
    this.servers.set(host, [...servers]);
  }

  /** Lists the service ids and every monitored host's servers; hosts no longer monitored are forgotten. */
  async refresh(nova: NovaApi, hosts: readonly string[]): Promise<RefreshOutcome> {
    const failures: string[] = [];
    const wanted = new Set(hosts);
    let services = 0;
    if (nova.listComputeServices !== undefined) {
      try {
        for (const service of await nova.listComputeServices()) {
          if (!wanted.has(service.host)) continue;
          this.serviceIds.set(service.host, service.id);
          services++;
        }
      } catch (err) {
        failures.push(`services: ${errorText(err)}`);
      }
    }
    await mapWithConcurrency(hosts, refreshConcurrency, async (host) => {
      try {
        this.servers.set(host, await nova.listServersOnHost(host));
      } catch (err) {
        failures.push(`${host}: ${errorText(err)}`);
      }
    });
    for (const host of [...this.servers.keys()]) if (!wanted.has(host)) this.servers.delete(host);
    for (const host of [...this.serviceIds.keys()]) if (!wanted.has(host)) this.serviceIds.delete(host);
    return { hosts: hosts.length, services, failures };
  }
}

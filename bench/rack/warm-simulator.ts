// The Nova simulator runs in the benchmark's process and stands in for a long-running Nova: its first burst
// of a thousand requests would run cold (V8 compiles its handlers on first use), which a cloud's Nova never
// is, and the first measured run paid for it. One unmeasured burst on hosts that do not fail warms it; those
// servers then go back to active. The operator is not involved: nothing it watches changes.
import { createOpenStackClients } from '../../src/openstack/index.js';
import { mapWithConcurrency } from '../../src/util/concurrency.js';
import type { NovaSim } from '../../tools/nova-sim/index.js';

/** Lists and resets every server of `hosts` through the simulator's API; returns how many. */
export async function warmSimulator(nova: NovaSim, hosts: readonly string[]): Promise<number> {
  const servers = hosts.flatMap((h) => nova.state.serversOnHost(h));
  const clients = await createOpenStackClients(nova.cloudsYaml(), 'openstack', { maxSockets: 64 });
  try {
    await mapWithConcurrency(hosts, 8, (host) => clients.nova.listServersOnHost(host));
    await mapWithConcurrency(servers, 64, (server) => clients.nova.resetServerToError(server.id));
  } finally {
    clients.close();
    for (const server of servers) {
      server.vmState = 'active';
      server.status = 'ACTIVE';
    }
  }
  return servers.length;
}

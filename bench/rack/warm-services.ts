// The Nova simulator (in the benchmark's process) and the consumer stand in for a long-running Nova and a
// long-running VNF manager: their first burst of a thousand requests would run cold (V8 compiles their
// handlers on first use), which the services they stand for never are, and the first measured run paid
// for it. One unmeasured burst each, about hosts that do not fail, warms them; the operator is not
// involved and nothing it watches changes (the reset servers go back to active).
import { createOpenStackClients } from '../../src/openstack/index.js';
import { deliver, prepareServerNotification } from '../../src/notify/index.js';
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

/** Sends the consumer one Aodh alarm per server of `hosts` (a fault of its own, ignored by the runs). */
export async function warmConsumer(url: string, nova: NovaSim, hosts: readonly string[]): Promise<number> {
  const servers = hosts.flatMap((host) => nova.state.serversOnHost(host).map((s) => ({ host, s })));
  await mapWithConcurrency(servers, 64, async ({ host, s }) => {
    const prepared = prepareServerNotification('aodh', {
      kind: 'host.down',
      faultId: 'benchwarmup00000',
      consumer: 'vnfm',
      host,
      server: { id: s.id, projectId: s.tenantId },
      time: new Date(),
    });
    const result = await deliver({ url }, prepared, { timeoutMs: 10_000 });
    if (!result.ok) throw new Error(`the consumer refused a warm-up alarm: ${JSON.stringify(result)}`);
  });
  return servers.length;
}

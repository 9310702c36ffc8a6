// Shared set-up of the OpenStack client integration tests: a simulator and a client pointed at it,
// with quick retries so failure tests stay short. Both are torn down after each test, pass or fail.
import {
  createOpenStackClients,
  type OpenStackClientOptions,
  type OpenStackClients,
} from '../../../src/openstack/factory.js';
import type { CallRecord } from '../../../src/openstack/keystone.js';
import type { CloudsYamlOptions } from '../../../tools/nova-sim/clouds-yaml.js';
import { type NovaSim, type SimOptions, simCredentials, start } from '../../../tools/nova-sim/index.js';

export const quickRetry = { maxAttempts: 6, baseDelayMs: 2, maxDelayMs: 20, deadlineMs: 10_000 };

export interface Bed {
  sim: NovaSim;
  clients: OpenStackClients;
  /** What the client says it did (its onCall hook). */
  clientCalls: CallRecord[];
}

export function useBed() {
  const open: { sim?: NovaSim; clients?: OpenStackClients }[] = [];

  afterEach(async () => {
    for (const entry of open.splice(0)) {
      entry.clients?.close();
      await entry.sim?.stop();
    }
  });

  return async function bed(
    simOptions: SimOptions = {},
    clientOptions: OpenStackClientOptions = {},
    clouds: CloudsYamlOptions = {},
  ): Promise<Bed> {
    const entry: { sim?: NovaSim; clients?: OpenStackClients } = {};
    open.push(entry);
    const sim = await start(simOptions);
    entry.sim = sim;
    const clientCalls: CallRecord[] = [];
    const clients = await createOpenStackClients(sim.cloudsYaml(clouds), clouds.cloud ?? 'openstack', {
      retry: quickRetry,
      timeoutMs: 5000,
      onCall: (call) => clientCalls.push(call),
      ...clientOptions,
    });
    entry.clients = clients;
    return { sim, clients, clientCalls };
  };
}

export function tokenRequests(sim: NovaSim) {
  return sim.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/auth/tokens'));
}

/** The simulator's admin as OS_* variables, the form openstack-helm's credentials Secret has. */
export function adminOsEnv(authUrl: string): Record<string, string> {
  const { admin } = simCredentials;
  return {
    OS_AUTH_URL: authUrl,
    OS_USERNAME: admin.username,
    OS_PASSWORD: admin.password,
    OS_PROJECT_NAME: admin.project,
    OS_USER_DOMAIN_NAME: admin.domain,
    OS_PROJECT_DOMAIN_NAME: admin.domain,
  };
}

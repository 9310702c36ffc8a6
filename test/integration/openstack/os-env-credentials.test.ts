// openstack-helm's OS_* credentials against the simulator's Keystone and Nova: the same client as
// clouds.yaml, reached through the converted entry.
import assert from 'node:assert/strict';
import { createOpenStackClients } from '../../../src/openstack/factory.js';
import { osEnvCloudName, osEnvToCloudsYaml } from '../../../src/openstack/os-env.js';
import { start } from '../../../tools/nova-sim/index.js';
import { adminOsEnv, quickRetry } from './harness.js';

describe('OpenStack client: OS_* credentials', function () {
  this.timeout(20_000);

  it('authenticates and picks the interface and region the keys name', async () => {
    const sim = await start();
    const clients = await createOpenStackClients(
      osEnvToCloudsYaml({
        ...adminOsEnv(sim.authUrl),
        OS_REGION_NAME: 'RegionOne',
        OS_INTERFACE: 'internal',
      }),
      osEnvCloudName,
      { retry: quickRetry, timeoutMs: 3000 },
    );
    try {
      assert.ok((await clients.nova.listComputeServices()).length > 0);
      assert.ok(sim.novaCalls().every((c) => c.path.startsWith('/compute-internal/')));
    } finally {
      clients.close();
      await sim.stop();
    }
  });
});

// Mocha root hooks (loaded with --require): the shared control plane is stopped after all tests, pass
// or fail, so no process outlives the run.
import { stopSharedCluster } from './shared-cluster.js';

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopSharedCluster();
  },
};

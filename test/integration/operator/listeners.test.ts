// The operator's listeners as its flags set them, on a real process against the test cluster: metrics on
// a listener of their own, probes without /metrics, the version in the first log line, and a deprecated
// flag still working with a warning.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from '../../../tools/cluster/cluster.js';
import { httpGet } from '../../../tools/cluster/health.js';
import { freePort } from '../../../tools/cluster/ports.js';
import { startOperatorProcess, type OperatorProcess } from '../../../tools/demo/operator-process.js';
import { waitFor } from '../../../tools/cluster/wait.js';
import { version } from '../../../src/util/version.js';
import { sharedCluster } from '../../support/shared-cluster.js';

describe('operator listeners', function () {
  this.timeout(120_000);
  let cluster: Cluster;
  let operator: OperatorProcess | undefined;

  before(async function () {
    cluster = await sharedCluster();
  });

  after(async function () {
    await operator?.stop();
  });

  it('serves metrics on --metrics-bind-address and probes without them; logs its version first', async function () {
    const logDir = join(cluster.runDir, 'logs');
    mkdirSync(logDir, { recursive: true });
    const metricsPort = await freePort();
    operator = await startOperatorProcess({
      kubeconfig: cluster.kubeconfigPath,
      logDir,
      identity: 'listeners',
      extraArgs: [
        '--lease-name',
        'listeners',
        '--metrics-bind-address',
        `127.0.0.1:${metricsPort}`,
        '--leader-elect',
        'true',
      ],
    });
    const metrics = await httpGet(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /^doctor_leader /m);
    assert.equal((await operator.get('/metrics'))?.status, 404, 'the probes listener has no /metrics');
    assert.equal((await operator.get('/healthz'))?.status, 200);

    // /healthz answers before the caches sync; 'operator started' is logged once they have.
    const logPath = operator.process.logPath;
    const logLines = () =>
      readFileSync(logPath, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const lines = await waitFor(
      "the log line 'operator started'",
      () => {
        const all = logLines();
        return Promise.resolve(all.some((l) => l.message === 'operator started') ? all : undefined);
      },
      { timeoutMs: 60_000 },
    );
    assert.equal(lines[0]?.message, `doctor-operator ${version} starting`);
    assert.ok(
      lines.some(
        (l) =>
          l.level === 'warn' && l.message === '--leader-elect true is deprecated: use --leader-elect=true',
      ),
    );
    const started = lines.find((l) => l.message === 'operator started');
    assert.equal(started?.metrics, `127.0.0.1:${metricsPort}`);
  });
});

// The leader's rehearsals of the fault path write nothing: with the operator as a process, a real API
// server, the Nova simulator and a consumer, the rehearsals at the start and after the policy's Nova
// warm-up run (their log lines) while Nova sees no write, the consumer no request, and Kubernetes no
// Event, taint or remediation status, and no object of the made-up hosts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { eventReasons } from '../../../src/api/event-reasons.js';
import { rehearsalHosts } from '../../../src/operator/fault-rehearsal.js';
import { hostDownTaintKey } from '../../../src/remediation/taint.js';
import { waitFor } from '../../../tools/cluster/wait.js';
import { getHostHealth, listHostHealths } from './helpers.js';
import { novaBed, type NovaBed } from './nova-bed.js';

const hosts = ['rehearse-a', 'rehearse-b'];

describe('fault path rehearsal on a real control plane', function () {
  this.timeout(180_000);
  let bed: NovaBed | undefined;
  let consumer: Server | undefined;
  let consumerRequests = 0;

  before(async function () {
    consumer = createServer((req, res) => {
      consumerRequests++;
      req.resume();
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => consumer!.listen(0, '127.0.0.1', resolve));
    bed = await novaBed('rehearse', hosts, 23, 3);
  });

  after(async function () {
    consumer?.close();
    await bed?.cleanup();
  });

  it('rehearses after the warm-up without a write to Nova, a consumer or Kubernetes', async function () {
    const b = bed!;
    // At debug the operator logs every rehearsal, not only its first (the typical policy's at the start).
    const level = process.env.DOCTOR_LOG_LEVEL;
    process.env.DOCTOR_LOG_LEVEL = 'debug';
    const operator = await b
      .startOperator('rehearse', ['--lease-name', 'rehearse-test', '--inspector-auth', 'none'])
      .finally(() => {
        if (level === undefined) delete process.env.DOCTOR_LOG_LEVEL;
        else process.env.DOCTOR_LOG_LEVEL = level;
      });
    const port = (consumer!.address() as AddressInfo).port;
    await b.applyPolicy(`    notify:
      - {name: rehearse-consumer, url: "http://127.0.0.1:${port}/failure", format: aodh}
`);
    const logPath = join(b.logDir, `${operator.identity}.log`);
    const rehearsals = await waitFor(
      "the operator to rehearse the fault path at the start and under the test's policy",
      () => {
        const lines = readFileSync(logPath, 'utf8')
          .split('\n')
          .filter((l) => l.includes('fault path rehearsed'))
          .map(
            (l) =>
              JSON.parse(l) as {
                policy?: string;
                remediation?: { serversReset?: number; novaWrites?: number };
              },
          );
        return Promise.resolve(lines.some((l) => l.policy === b.policy) ? lines : undefined);
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    assert.equal(rehearsals[0]?.policy, undefined, 'the first rehearsal is the typical policy, at the start');
    for (const rehearsal of rehearsals) {
      assert.equal(rehearsal.remediation?.serversReset, 50, 'the rehearsal reset its made-up servers');
      assert.equal(rehearsal.remediation?.novaWrites, 51);
    }
    // Whatever a rehearsal might write later (a status batch, an Event) has had time to land.
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const novaWrites = b.nova.novaCalls().filter((c) => c.method !== 'GET');
    assert.deepEqual(novaWrites, [], 'Nova saw only reads (the warm-up)');
    assert.equal(consumerRequests, 0, 'the consumer heard nothing');
    const events = (await b.kube.core.listEventForAllNamespaces()).items;
    const remediationReasons: string[] = [
      eventReasons.hostDown,
      eventReasons.novaServiceForcedDown,
      eventReasons.serversResetToError,
      eventReasons.nodeTainted,
      eventReasons.consumersNotified,
      eventReasons.stormActive,
    ];
    assert.deepEqual(
      events
        .filter(
          // Other suites share the control plane: their hosts' Events are theirs.
          (e) =>
            (remediationReasons.includes(e.reason ?? '') &&
              [...hosts, b.policy].includes(e.involvedObject.name ?? '')) ||
            rehearsalHosts.includes(e.involvedObject.name ?? ''),
        )
        .map((e) => `${e.reason} ${e.involvedObject.name}`),
      [],
    );
    for (const name of hosts) {
      const node = await b.kube.core.readNode({ name });
      assert.equal(node.spec?.taints?.some((t) => t.key === hostDownTaintKey) ?? false, false);
    }
    for (const hostHealth of await listHostHealths(b.kube, b.policy)) {
      assert.notEqual(hostHealth.status?.state, 'Down');
      assert.equal(hostHealth.status?.remediation, undefined);
      assert.equal(hostHealth.status?.timeline, undefined);
    }
    for (const name of rehearsalHosts) assert.equal(await getHostHealth(b.kube, name), undefined);
  });
});

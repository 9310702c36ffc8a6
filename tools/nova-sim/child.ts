// The Nova simulator in its own process, driven over IPC by process.ts. A benchmark's own work (polling
// the API server, parsing answers) then cannot delay the simulator's record of when a call arrived: the
// times it reports are taken in this process, which does nothing else. Exits when its parent goes away.
import { start, type NovaSim } from './index.js';
import { hostRemediationCalls, type HostRemediationCalls } from './fault-calls.js';
import type { HostFacts, SimChildOptions, SimReply, SimRequest } from './child-protocol.js';

/** How often a wait for a host's remediation looks at the call log: cheap (tens of calls). */
const checkEveryMs = 2;

function factsOf(sim: NovaSim, host: string): HostFacts {
  const service = sim.state.computeService(host);
  return {
    ...(service !== undefined ? { serviceUuid: service.uuid, forcedDown: service.forcedDown } : {}),
    serverIds: sim.state.serversOnHost(host).map((s) => s.id),
  };
}

/** The host's successful force-down and resets, once every server on it was reset. */
function remediationCalls(sim: NovaSim, host: string): HostRemediationCalls | undefined {
  const facts = factsOf(sim, host);
  if (facts.serviceUuid === undefined) return undefined;
  return hostRemediationCalls(sim.novaCalls(), facts.serviceUuid, facts.serverIds);
}

function awaitRemediation(sim: NovaSim, host: string, timeoutMs: number): Promise<HostRemediationCalls> {
  return new Promise((resolve, reject) => {
    const deadline = performance.now() + timeoutMs;
    const timer = setInterval(() => {
      const calls = remediationCalls(sim, host);
      if (calls !== undefined) {
        clearInterval(timer);
        resolve(calls);
      } else if (performance.now() > deadline) {
        clearInterval(timer);
        reject(new Error(`${host} was not forced down and all its servers reset within ${timeoutMs} ms`));
      }
    }, checkEveryMs);
  });
}

async function answer(sim: NovaSim, request: SimRequest): Promise<unknown> {
  switch (request.op) {
    case 'clearCalls':
      sim.clearCalls();
      return undefined;
    case 'setLatency':
      sim.configure({ latencyMs: request.latencyMs });
      return undefined;
    case 'failFirstCalls':
      sim.configure({ failures: { firstCalls: request.calls, pathPattern: new RegExp(request.path) } });
      return undefined;
    case 'novaCalls':
      return sim.novaCalls(request.method, request.path !== undefined ? new RegExp(request.path) : undefined);
    case 'hostFacts':
      return factsOf(sim, request.host);
    case 'restoreServers':
      for (const server of sim.state.serversOnHost(request.host)) {
        server.vmState = 'active';
        server.status = 'ACTIVE';
      }
      return undefined;
    case 'awaitRemediation':
      return awaitRemediation(sim, request.host, request.timeoutMs);
  }
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as SimChildOptions;
  const sim = await start(options);
  const send = (reply: SimReply) => process.send?.(reply);
  process.on('message', (request: SimRequest) => {
    answer(sim, request).then(
      (value) => send({ id: request.id, ok: true, value }),
      (err: unknown) =>
        send({ id: request.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
    );
  });
  process.once('disconnect', () => {
    void sim.stop().finally(() => process.exit(0));
  });
  send({ id: 0, ok: true, value: { url: sim.url, authUrl: sim.authUrl, cloudsYaml: sim.cloudsYaml() } });
}

main().catch((err: unknown) => {
  process.stderr.write(`nova-sim child: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});

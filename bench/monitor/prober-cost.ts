// Which prober? CPU of the candidates that Node can run without a native addon, probing 8 peers at 10 Hz
// (real ICMP to a network-namespace test bed): a streaming `ping` per peer (what the monitor uses), one
// `ping -c 1` spawned per probe, and the `ping` package's one-shot probe per probe.
// Run: node dist/bench/monitor/prober-cost.js [--seconds N]   (needs root: it builds the test bed)
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import ping from 'ping';
import winston from 'winston';
import { StreamingProber } from '../../src/monitor/prober.js';
import { createTestbed } from '../../test/support/netns/testbed.js';
import { measureCpu } from './proc-stats.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' } } });
const seconds = Number(values.seconds);
if (!Number.isFinite(seconds) || seconds < 1 || seconds > 600)
  throw new Error(`--seconds must be 1..600, got ${values.seconds}`);

const peers = 8;
const intervalMs = 100;
const logger = winston.createLogger({ silent: true });

interface Candidate {
  name: string;
  start(addresses: string[]): () => Promise<void>;
}

/** Repeats `probe` for every address every interval, never more than one in flight per address. */
function periodic(addresses: string[], probe: (address: string) => Promise<unknown>): () => Promise<void> {
  const busy = new Set<string>();
  const timer = setInterval(() => {
    for (const address of addresses) {
      if (busy.has(address)) continue;
      busy.add(address);
      void probe(address).finally(() => busy.delete(address));
    }
  }, intervalMs);
  return async () => {
    clearInterval(timer);
    const deadline = Date.now() + 2000;
    while (busy.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  };
}

const candidates: Candidate[] = [
  {
    name: 'streaming ping per peer (chosen)',
    start(addresses) {
      const probers = addresses.map(
        (address) =>
          new StreamingProber({
            address,
            intervalMs,
            timeoutMs: 20,
            clock: Date.now,
            logger,
            onOutcome: () => {},
          }),
      );
      for (const p of probers) p.start();
      return async () => {
        await Promise.all(probers.map((p) => p.stop()));
      };
    },
  },
  {
    name: 'spawn ping -c 1 per probe',
    start: (addresses) =>
      periodic(
        addresses,
        (address) =>
          new Promise<void>((resolve) => {
            const child = spawn('ping', ['-n', '-c', '1', '-W', '0.1', address], {
              stdio: ['ignore', 'pipe', 'ignore'],
            });
            child.stdout.resume();
            child.once('exit', () => resolve());
            child.once('error', () => resolve());
          }),
      ),
  },
  {
    name: 'ping package probe per probe',
    start: (addresses) =>
      periodic(addresses, (address) => ping.promise.probe(address, { timeout: 0.1, min_reply: 1 })),
  },
];

const bed = await createTestbed({ hosts: peers });
const rows: Array<{
  candidate: string;
  percentOfCore: number;
  processPercent: number;
  childrenPercent: number;
}> = [];
try {
  const addresses = bed.hosts.map((h) => h.address);
  for (const candidate of candidates) {
    const stop = candidate.start(addresses);
    await new Promise((r) => setTimeout(r, 3000)); // warm-up (ping's cadence calibration happens here)
    const cpu = await measureCpu('self', seconds * 1000);
    await stop();
    rows.push({ candidate: candidate.name, ...cpu });
  }
} finally {
  await bed.destroy();
}
process.stdout.write(`${peers} peers at ${1000 / intervalMs} Hz for ${seconds} s; CPU in % of one core\n`);
for (const r of rows) {
  process.stdout.write(
    `  ${r.candidate.padEnd(34)} total ${r.percentOfCore.toFixed(2).padStart(6)}  (node ${r.processPercent.toFixed(2)}, children ${r.childrenPercent.toFixed(2)})\n`,
  );
}

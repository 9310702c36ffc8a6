// Which prober? CPU of the candidates that Node can run without a native addon (Node has no raw ICMP
// socket), probing 8 peers at the FaultPolicy default probe rate (real ICMP to a network-namespace test
// bed): one `fping -l` for all peers (what the monitor uses), a streaming `ping` per peer (what it used
// before; only its output is read here, so its figure is a lower bound), and, with --one-shot, a process
// per probe (`ping -c 1`, and the `ping` package).
// Run: node dist/bench/monitor/prober-cost.js [--seconds N] [--interval MS] [--timeout MS] [--one-shot]
// (needs root: it builds the test bed)
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import ping from 'ping';
import winston from 'winston';
import { monitorProbeDefaults } from '../../src/api/schema/faultpolicy.js';
import { FpingProber } from '../../src/monitor/fping-prober.js';
import { createTestbed } from '../../tools/testbed/testbed.js';
import { measureCpu } from './proc-stats.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    interval: { type: 'string', default: String(monitorProbeDefaults.intervalMilliseconds) },
    timeout: { type: 'string', default: String(monitorProbeDefaults.timeoutMilliseconds) },
    'one-shot': { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const intervalMs = Number(values.interval);
const timeoutMs = Number(values.timeout);
if (!Number.isFinite(seconds) || seconds < 1 || seconds > 600)
  throw new Error(`--seconds must be 1..600, got ${values.seconds}`);
if (!Number.isInteger(intervalMs) || intervalMs < 10 || intervalMs > 60_000)
  throw new Error(`--interval must be an integer 10..60000, got ${values.interval}`);
if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > intervalMs)
  throw new Error(`--timeout must be an integer 1..interval, got ${values.timeout}`);

const peers = 8;
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

/** A streaming `ping -O` per peer whose output is only counted (the monitor's former prober did more). */
function streamingPings(addresses: string[]): () => Promise<void> {
  const seconds = (intervalMs / 1000).toFixed(3);
  const children = addresses.map((address) => {
    const child = spawn('ping', ['-n', '-O', '-l', '2', '-i', seconds, address], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    // Decoded like a real reader would, then dropped.
    child.stdout.on('data', (chunk: Buffer) => void chunk.toString('latin1'));
    return child;
  });
  return async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill();
          }),
      ),
    );
  };
}

const candidates: Candidate[] = [
  {
    name: 'one fping -l for all peers (chosen)',
    start(addresses) {
      const prober = new FpingProber({
        targets: addresses.map((address) => ({ name: address, address })),
        intervalMs,
        timeoutMs,
        clock: Date.now,
        logger,
        onOutcome: () => {},
        failureThreshold: monitorProbeDefaults.failureThreshold,
      });
      prober.start();
      return () => prober.stop();
    },
  },
  { name: 'streaming ping per peer', start: streamingPings },
];
if (values['one-shot']) {
  candidates.push(
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
  );
}

const bed = await createTestbed({ hosts: peers });
const rows: Array<{
  candidate: string;
  percentOfCore: number;
  processPercent: number;
  childrenPercent: number;
}> = [];
try {
  const addresses = bed.hosts.map((h) => h.address);
  // What this process costs doing nothing, to read the candidates' "node" share against.
  rows.push({ candidate: 'nothing (this process idle)', ...(await measureCpu('self', seconds * 1000)) });
  for (const candidate of candidates) {
    const stop = candidate.start(addresses);
    await new Promise((r) => setTimeout(r, 3000)); // warm-up
    const cpu = await measureCpu('self', seconds * 1000);
    await stop();
    rows.push({ candidate: candidate.name, ...cpu });
  }
} finally {
  await bed.destroy();
}
process.stdout.write(
  `${peers} peers, interval ${intervalMs} ms, timeout ${timeoutMs} ms, for ${seconds} s; CPU in % of one core\n`,
);
for (const r of rows) {
  process.stdout.write(
    `  ${r.candidate.padEnd(36)} total ${r.percentOfCore.toFixed(2).padStart(6)}  (node ${r.processPercent.toFixed(2)}, children ${r.childrenPercent.toFixed(2)})\n`,
  );
}

import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProbeOutcome } from '../../../src/monitor/detector.js';
import { StreamingProber } from '../../../src/monitor/prober.js';
import { memoryLogger } from './memory-logger.js';

// Fake `ping` programs that print what iputils prints, to drive the prober through its failure paths.
// The one-shot fallback still uses the real ping (through the `ping` package) against 127.0.0.1.
const fakes: Record<string, string> = {
  // Answers three probes, then stays alive but prints nothing (a stalled prober).
  stall: `let seq = 0;
const t = setInterval(() => { seq++; if (seq <= 3) console.log('64 bytes from 127.0.0.1: icmp_seq=' + seq + ' ttl=64 time=0.05 ms'); }, 50);
process.on('SIGTERM', () => process.exit(0));`,
  // Answers two probes, then reports every further probe unanswered, as ping -O does for a dead peer.
  silentPeer: `let seq = 0;
setInterval(() => { seq++; if (seq <= 2) console.log('64 bytes from 127.0.0.1: icmp_seq=' + seq + ' ttl=64 time=0.05 ms'); else if (seq > 3) console.log('no answer yet for icmp_seq=' + (seq - 1)); }, 50);`,
  // Cannot start (as with "connect: Network is unreachable").
  fails: `console.error('ping: connect: Network is unreachable'); process.exit(2);`,
};

async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('streaming prober', function () {
  this.timeout(15_000);
  let dir: string;
  let prober: StreamingProber | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'doctor-prober-'));
    for (const [name, body] of Object.entries(fakes)) {
      const path = join(dir, name);
      writeFileSync(path, `#!${process.execPath}\n${body}\n`);
      chmodSync(path, 0o755);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await prober?.stop();
    prober = undefined;
  });

  function start(pingCommand: string | undefined, intervalMs: number, timeoutMs: number) {
    const outcomes: ProbeOutcome[] = [];
    const mem = memoryLogger();
    prober = new StreamingProber({
      address: '127.0.0.1',
      intervalMs,
      timeoutMs,
      clock: Date.now,
      logger: mem.logger,
      onOutcome: (o) => outcomes.push(o),
      ...(pingCommand ? { pingCommand } : {}),
    });
    prober.start();
    return { outcomes, lines: mem.lines };
  }

  it('probes with the real system ping and reports replies with their rtt', async () => {
    const { outcomes } = start(undefined, 50, 50);
    await until(() => outcomes.length >= 5, 5000);
    assert.ok(outcomes.every((o) => o.ok));
    assert.ok(outcomes.every((o) => typeof o.rttMs === 'number' && o.rttMs >= 0 && o.rttMs < 50));
    const pid = prober!.pid!;
    assert.ok(alive(pid));
    await prober!.stop();
    assert.ok(!alive(pid), 'stop() ends the ping process');
  });

  it('turns ping silence into misses at the deadline when ping is alive and says "no answer"', async () => {
    const { outcomes } = start(join(dir, 'silentPeer'), 50, 10);
    await until(() => outcomes.filter((o) => !o.ok).length >= 3, 5000);
    assert.deepEqual(
      outcomes.slice(0, 2).map((o) => o.ok),
      [true, true],
    );
    assert.ok(outcomes.slice(2).every((o) => !o.ok));
  });

  it('does not count the silence of a stalled ping as misses: restarts it and confirms with one-shot pings', async () => {
    const { outcomes, lines } = start(join(dir, 'stall'), 50, 10);
    await until(() => lines.some((l) => l.message === 'ping went silent; restarting it'), 5000);
    // While the fake is silent, one-shot confirmations of 127.0.0.1 (real ping) answer.
    await until(() => outcomes.length >= 5, 5000);
    // Only the first probe after the last line can miss (its silence cannot yet be told from a stall); a
    // second consecutive miss would need ping to show it is still sending.
    const consecutive = outcomes.some((o, i) => !o.ok && outcomes[i + 1]?.ok === false);
    assert.equal(consecutive, false, `outcomes: ${outcomes.map((o) => (o.ok ? '+' : '-')).join('')}`);
  });

  it('keeps judging with one-shot pings while ping cannot start, restarting it with backoff', async () => {
    const { outcomes, lines } = start(join(dir, 'fails'), 50, 50);
    await until(() => outcomes.length >= 2, 5000);
    assert.ok(
      outcomes.every((o) => o.ok),
      `the one-shot confirmations of 127.0.0.1 succeed: ${JSON.stringify(outcomes)} ${JSON.stringify(lines)}`,
    );
    const exits = lines.filter((l) => l.message === 'ping exited; restarting it');
    assert.ok(exits.length >= 1);
    assert.match(String(exits[0]?.lastOutput), /Network is unreachable/);
    const before = exits.length;
    await new Promise((r) => setTimeout(r, 400));
    const after = lines.filter((l) => l.message === 'ping exited; restarting it').length;
    assert.ok(after - before <= 3, `restarts back off (${after - before} in 400 ms)`);
  });
});

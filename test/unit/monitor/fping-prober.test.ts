import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProbeOutcome } from '../../../src/monitor/detector.js';
import { FpingProber } from '../../../src/monitor/fping-prober.js';
import { memoryLogger } from './memory-logger.js';

// Fake `fping` programs that print what fping -l prints, to drive the prober through its failure paths.
// Each prints for its last argument (the target address). The one-shot fallback uses the real ping
// (through the `ping` package) against 127.0.0.1.
const fakes: Record<string, string> = {
  // Answers three rounds, then goes silent for good (what fping does while its sends fail).
  silent: `const a = process.argv.at(-1); let seq = 0;
setInterval(() => { if (seq < 3) console.log(a + ' : [' + seq + '], 64 bytes, 0.05 ms (0.05 avg, 0% loss)'); seq++; }, 50);
process.on('SIGTERM', () => process.exit(0));`,
  // Answers two rounds, then reports every further probe timed out.
  deadPeer: `const a = process.argv.at(-1); let seq = 0;
setInterval(() => { console.log(a + ' : [' + seq + '], ' + (seq < 2 ? '64 bytes, 0.05 ms' : 'timed out') + ' (0.05 avg, 0% loss)'); seq++; }, 50);`,
  // Skips probes 2 and 3 (it could not send them), then answers again.
  gap: `const a = process.argv.at(-1); let seq = 0;
setInterval(() => { if (seq !== 2 && seq !== 3) console.log(a + ' : [' + seq + '], 64 bytes, 0.05 ms (0.05 avg, 0% loss)'); seq++; }, 50);`,
  // Answers three rounds for every address it was given, then goes silent.
  silentAll: `const addresses = process.argv.slice(process.argv.indexOf('-t') + 2); let seq = 0;
setInterval(() => { if (seq < 3) for (const a of addresses) console.log(a + ' : [' + seq + '], 64 bytes, 0.05 ms (0.05 avg, 0% loss)'); seq++; }, 50);
process.on('SIGTERM', () => process.exit(0));`,
  // Cannot start.
  fails: `console.error('fping: can\\'t create socket (must run as root?)'); process.exit(4);`,
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

describe('fping prober', function () {
  this.timeout(15_000);
  let dir: string;
  let prober: FpingProber | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'doctor-fping-'));
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

  function start(
    fpingCommand: string | undefined,
    intervalMs: number,
    timeoutMs: number,
    more: {
      targets?: Array<{ name: string; address: string }>;
      failureThreshold?: number;
      onOutcome?: (o: ProbeOutcome & { name: string }) => void;
    } = {},
  ) {
    const outcomes: Array<ProbeOutcome & { name: string }> = [];
    const mem = memoryLogger();
    prober = new FpingProber({
      targets: more.targets ?? [{ name: 'peer', address: '127.0.0.1' }],
      intervalMs,
      timeoutMs,
      clock: Date.now,
      logger: mem.logger,
      onOutcome: (name, o) => {
        outcomes.push({ name, ...o });
        more.onOutcome?.({ name, ...o });
      },
      ...(more.failureThreshold !== undefined ? { failureThreshold: more.failureThreshold } : {}),
      ...(fpingCommand ? { fpingCommand } : {}),
    });
    prober.start();
    return { outcomes, lines: mem.lines };
  }

  it('probes with the real fping and reports replies with their rtt, by peer name', async () => {
    const { outcomes } = start(undefined, 30, 15);
    await until(() => outcomes.length >= 5, 5000);
    assert.ok(outcomes.every((o) => o.ok && o.name === 'peer'));
    assert.ok(outcomes.every((o) => typeof o.rttMs === 'number' && o.rttMs >= 0 && o.rttMs < 15));
    const pid = prober!.pid!;
    assert.ok(alive(pid));
    await prober!.stop();
    assert.ok(!alive(pid), 'stop() ends the fping process');
  });

  it('turns "timed out" lines into misses', async () => {
    const { outcomes } = start(join(dir, 'deadPeer'), 50, 10);
    await until(() => outcomes.filter((o) => !o.ok).length >= 3, 5000);
    assert.deepEqual(
      outcomes.slice(0, 2).map((o) => o.ok),
      [true, true],
    );
    assert.ok(outcomes.slice(2).every((o) => !o.ok));
  });

  it('counts probes missing from the sequence as misses', async () => {
    const { outcomes } = start(join(dir, 'gap'), 50, 10);
    await until(() => outcomes.length >= 6, 5000);
    // Probes 2 and 3 were never reported: once overdue (or when probe 4 shows the gap) they are misses.
    assert.deepEqual(
      outcomes.slice(0, 5).map((o) => o.ok),
      [true, true, false, false, true],
    );
  });

  it('counts overdue probes of a silent fping as misses, then restarts it and confirms with one-shot pings', async () => {
    const { outcomes, lines } = start(join(dir, 'silent'), 50, 10);
    // Misses come one interval apart from the last reply's send, without waiting for the restart.
    await until(() => outcomes.filter((o) => !o.ok).length >= 2, 2000);
    const firstMiss = outcomes.find((o) => !o.ok)!;
    const lastReply = outcomes.filter((o) => o.ok).at(-1)!;
    assert.ok(firstMiss.sentAt - lastReply.sentAt >= 45 && firstMiss.sentAt - lastReply.sentAt <= 55);
    assert.ok(
      firstMiss.at - lastReply.sentAt < 50 + 10 + 25 + 100,
      'the miss is counted soon after its deadline',
    );
    await until(() => lines.some((l) => l.message === 'fping went silent; restarting it'), 5000);
    // While the fake is restarted, one-shot confirmations of 127.0.0.1 (real ping) answer.
    const before = outcomes.length;
    await until(() => outcomes.slice(before).some((o) => o.ok), 5000);
  });

  it('with failureThreshold 2, counts the second overdue miss of a silent fping by its deadline', async () => {
    const { outcomes } = start(join(dir, 'silent'), 50, 10, { failureThreshold: 2 });
    await until(() => outcomes.filter((o) => !o.ok).length >= 2, 2000);
    const lastReply = outcomes.filter((o) => o.ok).at(-1)!;
    const secondMiss = outcomes.filter((o) => !o.ok)[1]!;
    assert.ok(secondMiss.sentAt - lastReply.sentAt >= 95 && secondMiss.sentAt - lastReply.sentAt <= 105);
    // Its deadline: sent + interval + timeout + slack (25 ms here), from the last reply's send.
    const deadline = lastReply.sentAt + 100 + 50 + 10 + 25;
    assert.ok(secondMiss.at < deadline + 100, `counted ${secondMiss.at - deadline} ms after its deadline`);
  });

  it('hands the core misses that fell due together in the order they happened, peer after peer', async () => {
    const targets = [
      { name: 'a', address: '127.0.0.1' },
      { name: 'b', address: '127.0.0.2' },
    ];
    let stalled = false;
    const { outcomes } = start(join(dir, 'silentAll'), 50, 10, {
      targets,
      failureThreshold: 2,
      onOutcome: (o) => {
        // After the last reply, the process stalls past several deadlines (a busy node, a GC pause).
        if (!stalled && o.name === 'b' && o.ok && outcomes.filter((x) => x.ok).length === 6) {
          stalled = true;
          const until = Date.now() + 300;
          while (Date.now() < until);
        }
      },
    });
    await until(() => outcomes.filter((o) => !o.ok).length >= 6, 3000);
    const misses = outcomes.filter((o) => !o.ok).slice(0, 6);
    assert.deepEqual(
      misses.map((o) => o.name),
      ['a', 'b', 'a', 'b', 'a', 'b'],
    );
    assert.ok(misses[0]!.at === misses[5]!.at, 'settled together, at one check');
  });

  it('keeps judging with one-shot pings while fping cannot start, restarting it with backoff', async () => {
    const { outcomes, lines } = start(join(dir, 'fails'), 50, 50);
    await until(() => outcomes.length >= 2, 5000);
    assert.ok(
      outcomes.every((o) => o.ok),
      `the one-shot confirmations of 127.0.0.1 succeed: ${JSON.stringify(outcomes)} ${JSON.stringify(lines)}`,
    );
    const exits = lines.filter((l) => l.message === 'fping exited; restarting it');
    assert.ok(exits.length >= 1);
    assert.match(String(exits[0]?.lastOutput), /can't create socket/);
    const count = exits.length;
    await new Promise((r) => setTimeout(r, 400));
    const after = lines.filter((l) => l.message === 'fping exited; restarting it').length;
    assert.ok(after - count <= 3, `restarts back off (${after - count} in 400 ms)`);
  });
});

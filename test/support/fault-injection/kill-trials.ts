// kill -9 of the leading operator at a random point of a host's remediation, repeated: each trial reports
// one host down, waits a random time within how long a remediation takes after the report's 200, kills the leader, starts a new
// standby and waits until the surviving replica has finished. Every server must end up reset, the host
// forced down and every server's notification delivered; a repeat must carry the first one's id.
import { seededRandom } from '../../../tools/nova-sim/traffic.js';
import { describeOutcomes, type FaultBed, type HostOutcome } from './fault-bed.js';

export interface KillTrialsResult {
  trials: number;
  seed: number;
  /** From the report's 200 to every server notified, undisturbed; kills land within it. */
  calibrationMs: number;
  outcomes: HostOutcome[];
  /** Where the kills landed: before the first notification, part-way, after the last. */
  killedBeforeFirst: number;
  killedMidway: number;
  killedAfterAll: number;
  summary: string;
}

export async function runKillTrials(
  bed: FaultBed,
  options: { trials: number; seed: number; novaLatencyMs?: number; log?: (line: string) => void },
): Promise<KillTrialsResult> {
  if (bed.hosts.length < options.trials + 1)
    throw new Error(
      `the bed has ${bed.hosts.length} hosts; ${options.trials} trials need ${options.trials + 1}`,
    );
  const log = options.log ?? (() => undefined);
  const random = seededRandom(options.seed);
  // Slow Nova a little so a remediation lasts long enough for a kill to land inside it.
  bed.nova.configure({ latencyMs: options.novaLatencyMs ?? 20 });
  try {
    const calibrationHost = bed.hosts[0]!;
    await bed.reportDown(calibrationHost);
    const started = Date.now();
    await bed.waitRemediated(calibrationHost);
    const calibrationMs = Date.now() - started;
    log(`undisturbed remediation of ${calibrationHost}: ${calibrationMs} ms`);

    const outcomes: HostOutcome[] = [];
    let killedBeforeFirst = 0;
    let killedMidway = 0;
    let killedAfterAll = 0;
    for (let i = 0; i < options.trials; i++) {
      const host = bed.hosts[i + 1]!;
      const leader = await bed.leader();
      const delayMs = Math.round(random() * calibrationMs);
      await bed.reportDown(host);
      await new Promise((r) => setTimeout(r, delayMs));
      await bed.kill(leader);
      const atKill = bed.outcome(host).deliveries;
      await bed.addReplica();
      if (atKill.notified === 0) killedBeforeFirst++;
      else if (atKill.notified < atKill.expected) killedMidway++;
      else killedAfterAll++;
      const outcome = await bed.waitRemediated(host);
      outcomes.push(outcome);
      log(
        `trial ${i + 1}/${options.trials} on ${host}: killed ${leader.identity} after ${delayMs} ms with ${atKill.notified}/${atKill.expected} notified; ${describeOutcomes([outcome])}`,
      );
    }
    const summary = `trials ${options.trials}, ${describeOutcomes(outcomes)}; kills before the first notification ${killedBeforeFirst}, part-way ${killedMidway}, after the last ${killedAfterAll}`;
    return {
      trials: options.trials,
      seed: options.seed,
      calibrationMs,
      outcomes,
      killedBeforeFirst,
      killedMidway,
      killedAfterAll,
      summary,
    };
  } finally {
    bed.nova.configure({ latencyMs: 0 });
  }
}

// Doctor's functest as a benchmark: the e2e scenario (real monitors in network namespaces, operator,
// Nova simulator, consumer) with a link pulled on one host after another, repeated. Figures: detection
// (T01-T00), notification time (first consumer notified - first detection: Doctor's < 1 s criterion),
// and fault to all done (T08-T00). Writes an SVG timeline of the median fault and a histogram.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster } from '../../tools/cluster/cluster.js';
import { waitFor } from '../../tools/cluster/wait.js';
import { startScenario, timelineOffsets, timelinePoints } from '../../tools/demo/scenario.js';
import type { BenchResult } from '../lib/report.js';
import { defaultDetectionSettings } from '../lib/policy-defaults.js';
import { median, summary } from '../lib/stats.js';
import { histogramSvg, timelineSvg } from '../lib/svg.js';

const labels: Record<string, string> = {
  T00: 'fault injected',
  T01: 'first detection',
  T02: 'report received',
  T03: 'declared Down',
  T04: 'Nova forced down',
  T05: 'servers reset',
  T06: 'first consumer notified',
  T07: 'all notified',
  T08: 'status written',
};

export async function runFunctestBenchmark(options: {
  faults: number;
  serversPerHost: number;
  resultsDir: string;
  log: (line: string) => void;
}): Promise<BenchResult> {
  const { log } = options;
  const cluster = await startCluster({ log: () => undefined });
  try {
    const scenario = await startScenario({
      cluster,
      name: 'bench',
      hosts: 4,
      serversPerHost: options.serversPerHost,
      policySpec: '  detection: {healthySeconds: 1}',
      log,
    });
    const detection: number[] = [];
    const notification: number[] = [];
    const total: number[] = [];
    const offsets: ReturnType<typeof timelineOffsets>[] = [];
    try {
      for (let i = 0; i < options.faults; i++) {
        const victim = scenario.hostNames[i % scenario.hostNames.length]!;
        const injectedIso = await scenario.injectLinkDown(victim);
        const injectedAt = Date.parse(injectedIso);
        const down = await scenario.waitRemediated(victim, injectedIso);
        const timeline = down.status!.timeline!;
        if (Date.parse(timeline.T00 ?? '') !== injectedAt)
          throw new Error(`fault ${i + 1}: the timeline is not this fault's`);
        const t01 = Date.parse(timeline.T01!);
        const first = await waitFor(`fault ${i + 1}: the consumer's first notification`, () => {
          const arrivals = scenario
            .arrivals()
            .filter((a) => a.host === victim && a.receivedAtMs >= injectedAt);
          return Promise.resolve(
            arrivals.length > 0 ? Math.min(...arrivals.map((a) => a.receivedAtMs)) : undefined,
          );
        });
        const o = timelineOffsets(down);
        offsets.push(o);
        detection.push(o.T01!);
        notification.push(first - t01);
        total.push(o.T08!);
        log(
          `fault ${i + 1}/${options.faults} on ${victim}: detected ${o.T01} ms, notified ${first - t01} ms after detection, done ${o.T08} ms`,
        );
        await scenario.linkUp(victim);
        await waitFor(
          `${victim} to recover`,
          async () => ((await scenario.hostHealth(victim)).status?.state === 'Healthy' ? true : undefined),
          { timeoutMs: 60_000, intervalMs: 200 },
        );
        // Let the monitors' verdicts settle before the next fault.
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      await scenario.stop();
    }

    const medianIndex = total.indexOf(median(total));
    const chosen = offsets[medianIndex] ?? offsets[0]!;
    writeFileSync(
      join(options.resultsDir, 'timeline.svg'),
      timelineSvg(
        `One link-down fault, ${options.serversPerHost} servers (median of ${total.length} faults)`,
        timelinePoints.map((p) => ({ name: p, label: labels[p]!, ms: chosen[p] ?? 0 })),
      ),
    );
    writeFileSync(
      join(options.resultsDir, 'notification-histogram.svg'),
      histogramSvg('Notification time (consumer notified - first detection)', 'ms', notification),
    );
    return {
      benchmark: 'functest',
      description: `link down on one of 4 hosts (real monitors, operator, Nova simulator and consumer), repeated`,
      settings: {
        hosts: 4,
        'servers per host': options.serversPerHost,
        'Nova latency': '0 ms',
        ...defaultDetectionSettings(),
      },
      figures: [
        {
          name: 'detection (T01-T00)',
          unit: 'ms',
          ...summary(detection, 'p50'),
          note: 'context: link down -> first monitor report',
        },
        {
          name: 'notification time (first consumer notified - T01)',
          unit: 'ms',
          ...summary(notification, 'p50'),
          note: 'the goal is on the p99 row',
        },
        {
          name: 'notification time (first consumer notified - T01)',
          unit: 'ms',
          ...summary(notification, 'p99'),
          goal: { statistic: 'p99', op: '<', value: 1000, by: 'Doctor' },
        },
        {
          name: 'fault -> all done (T08-T00)',
          unit: 'ms',
          ...summary(total, 'p50'),
          note: 'context',
        },
      ],
      details: {
        detection,
        notification,
        total,
        offsets,
        charts: ['timeline.svg', 'notification-histogram.svg'],
      },
    };
  } finally {
    await cluster.stop();
  }
}

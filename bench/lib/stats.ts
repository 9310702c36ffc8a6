// Summary statistics for benchmark samples (nearest-rank percentiles: no interpolation on few samples).
import { honestStatistic, type Statistic } from './report.js';

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export const median = (samples: readonly number[]) => percentile(samples, 50);
export const p99 = (samples: readonly number[]) => percentile(samples, 99);

export type SummaryStatistic = 'p50' | 'p90' | 'p99' | 'max' | 'min' | 'mean';

/**
 * A figure's value, statistic and sample count from its samples, e.g. `{ name, unit, ...summary(xs, 'p99') }`.
 * The statistic is named for what it is: a p99 over fewer than 100 samples comes back as 'max'.
 */
export function summary(
  samples: readonly number[],
  statistic: SummaryStatistic,
): { value: number; statistic: Statistic; samples: number } {
  const n = samples.length;
  const value =
    statistic === 'max'
      ? percentile(samples, 100)
      : statistic === 'min'
        ? percentile(samples, 0)
        : statistic === 'mean'
          ? n === 0
            ? Number.NaN
            : samples.reduce((a, b) => a + b, 0) / n
          : percentile(samples, Number(statistic.slice(1)));
  return { value, statistic: honestStatistic(statistic, n), samples: n };
}

// `make bench` arguments: --quick, --only=a,b, --help. A name that is not a benchmark is refused with
// the list of known ones, so a typo cannot turn into a run that measures nothing and reports success.
import { parseArgs } from 'node:util';
import { errorText } from '../../src/util/error-text.js';

export interface BenchArgs {
  quick: boolean;
  /** The benchmarks to run, in the registry's order; every one when --only is absent. */
  selected: string[];
  /** True when --only picked a subset. */
  partial: boolean;
  help: boolean;
}

/** A wrong command line: run-all prints the message and the usage and exits with status 2. */
export class UsageError extends Error {}

export function usage(known: readonly string[]): string {
  return [
    'usage: make bench [BENCH_ARGS="--quick --only=NAME[,NAME...]"]',
    '  --quick         smaller versions of every benchmark (a smoke run; results in bench/results/quick/)',
    '  --only=NAMES    run only these benchmarks (results in bench/results/partial/)',
    `  benchmarks:     ${known.join(', ')}`,
  ].join('\n');
}

export function parseBenchArgs(argv: readonly string[], known: readonly string[]): BenchArgs {
  let values: { quick?: boolean; only?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        quick: { type: 'boolean' },
        only: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(errorText(err));
  }
  const help = values.help ?? false;
  const quick = values.quick ?? false;
  if (values.only === undefined) return { quick, selected: [...known], partial: false, help };
  const names = values.only.split(',').map((n) => n.trim());
  if (names.some((n) => n === ''))
    throw new UsageError(`--only needs benchmark names separated by commas, got "${values.only}"`);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0)
    throw new UsageError(
      `unknown benchmark${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}; known: ${known.join(', ')}`,
    );
  const selected = known.filter((n) => names.includes(n));
  return { quick, selected, partial: selected.length < known.length, help };
}

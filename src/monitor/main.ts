#!/usr/bin/env node
// Standalone entry of the monitor (`node dist/src/monitor/main.js --config PATH`), the same command as
// `doctor monitor`. Tests and the benchmark start it inside network namespaces with `ip netns exec`.
import { runMonitorCommand } from './command.js';

runMonitorCommand(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `doctor monitor: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);

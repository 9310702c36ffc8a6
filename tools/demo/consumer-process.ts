// `doctor consumer` as a process on 127.0.0.1, recording every arrival to a JSON-lines file.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArrivalRecord } from '../../src/consumer/recorder.js';
import { repoRoot } from '../cluster/paths.js';
import { startComponent, type ComponentProcess } from '../cluster/process.js';

export function startConsumerProcess(options: {
  name: string;
  port: number;
  recordFile: string;
  logPath: string;
}): ComponentProcess {
  const args = [
    join(repoRoot, 'dist/src/cli.js'),
    'consumer',
    '--host',
    '127.0.0.1',
    '--port',
    String(options.port),
  ];
  return startComponent(
    options.name,
    process.execPath,
    [...args, '--record', options.recordFile],
    options.logPath,
  );
}

/** Every arrival recorded so far (none before the consumer has written its file). */
export function readArrivals(recordFile: string): ArrivalRecord[] {
  return existsSync(recordFile)
    ? readFileSync(recordFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as ArrivalRecord)
    : [];
}

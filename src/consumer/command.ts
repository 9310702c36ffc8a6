// `doctor consumer`: the sample consumer (Doctor's listens on :12346 /failure). Runs until SIGTERM or
// SIGINT, then closes the listener and the record file and exits 0.
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { normalizeHmacKey } from '../notify/signature.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { createConsumerApp } from './app.js';
import { MaintenanceAnswerer, type AnswerMode } from './maintenance-answerer.js';
import { ArrivalRecorder } from './recorder.js';
import { errorText } from '../util/error-text.js';
import { resolveLogLevel } from '../observability/log-level.js';
import { version } from '../util/version.js';

export const consumerUsage = `Usage: doctor consumer [options]

The sample consumer (a VNF manager's side): receives fault notifications (Aodh alarms or CloudEvents)
on POST /failure, answers 401 to wrongly signed ones when a key is given, drops repeated notification
ids, logs each one and can record its arrival time. Runs until SIGTERM or SIGINT.

Options:
  --port N              listen port (default 12346; 0 picks a free port)
  --host ADDR           listen address (default 127.0.0.1; :: for every interface)
  --hmac-key-file PATH  verify webhook-signature (Standard Webhooks: id, timestamp and body) with this
                        key (a trailing newline is ignored); unsigned, wrongly signed or stale posts
                        get 401, an exact replay of an accepted post gets 409
  --tolerance-seconds N accept signed timestamps up to N seconds from this clock (default 300)
  --record FILE         append one JSON line per arrival (receivedAtMs, id, type, host, server)
  --max-body-bytes N    larger bodies get 413 (default 262144)
  --log-level LEVEL     debug, info, warn or error (default: $DOCTOR_LOG_LEVEL or info)
  --maintenance-answer MODE
                        answer maintenance.scheduled for each server: ack (default), nack, or none
                        (never answers); answers are signed with --hmac-key-file's key
  --maintenance-answer-delay-ms N
                        wait this long before answering (default 0)
  --maintenance-nack-servers LIST
                        comma-separated server ids to NACK even with ack
  -h, --help            show this help
`;

export interface ConsumerOptions {
  port: number;
  host: string;
  hmacKey?: Buffer;
  recordFile?: string;
  maxBodyBytes?: number;
  toleranceSeconds?: number;
  logger?: Logger;
  logLevel?: string;
  maintenance?: { mode: AnswerMode; delayMs: number; nackServers: string[] };
}

export interface RunningConsumer {
  url: string;
  close(): Promise<void>;
}

export async function startConsumer(options: ConsumerOptions): Promise<RunningConsumer> {
  const logger = options.logger ?? createLogger('consumer');
  const recorder =
    options.recordFile !== undefined ? await ArrivalRecorder.open(options.recordFile) : undefined;
  const answerer = new MaintenanceAnswerer({
    ...(options.maintenance ?? { mode: 'ack', delayMs: 0 }),
    ...(options.hmacKey !== undefined ? { hmacKey: options.hmacKey } : {}),
    logger,
  });
  const app = createConsumerApp({
    logger,
    maintenance: answerer,
    ...(options.hmacKey !== undefined ? { hmacKey: options.hmacKey } : {}),
    ...(recorder !== undefined ? { recorder } : {}),
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(options.toleranceSeconds !== undefined ? { toleranceSeconds: options.toleranceSeconds } : {}),
  });
  let server: Server;
  try {
    // Not app.listen: express 5 hands listen errors to the callback, which would look like success.
    server = createServer(app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => resolve());
    });
  } catch (err) {
    await recorder?.close();
    throw err;
  }
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  logger.info('doctor consumer listening', {
    url: `${url}/failure`,
    signed: options.hmacKey !== undefined,
    record: options.recordFile,
  });
  return {
    url,
    async close() {
      answerer.close();
      await new Promise<void>((resolve) => {
        // Requests in flight get a few seconds to finish; then every connection is cut.
        const force = setTimeout(() => server.closeAllConnections(), 5000);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        // Idle keep-alive connections would otherwise hold close() open until they time out.
        server.closeIdleConnections();
      });
      await recorder?.close();
    },
  };
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 12346;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0..65535, got "${value}"`);
  return port;
}

function maintenanceOptions(values: {
  'maintenance-answer'?: string;
  'maintenance-answer-delay-ms'?: string;
  'maintenance-nack-servers'?: string;
}): NonNullable<ConsumerOptions['maintenance']> {
  const mode = values['maintenance-answer'] ?? 'ack';
  if (mode !== 'ack' && mode !== 'nack' && mode !== 'none')
    throw new Error(`--maintenance-answer must be ack, nack or none, got "${mode}"`);
  const delay = Number(values['maintenance-answer-delay-ms'] ?? '0');
  if (!Number.isInteger(delay) || delay < 0 || delay > 3_600_000)
    throw new Error('--maintenance-answer-delay-ms must be an integer from 0 to 3600000');
  const nackServers = (values['maintenance-nack-servers'] ?? '').split(',').filter((id) => id !== '');
  return { mode, delayMs: delay, nackServers };
}

async function parseOptions(args: string[]): Promise<ConsumerOptions | 'help'> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'hmac-key-file': { type: 'string' },
      record: { type: 'string' },
      'max-body-bytes': { type: 'string' },
      'tolerance-seconds': { type: 'string' },
      'log-level': { type: 'string' },
      'maintenance-answer': { type: 'string' },
      'maintenance-answer-delay-ms': { type: 'string' },
      'maintenance-nack-servers': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
  });
  if (values.help === true) return 'help';
  const options: ConsumerOptions = {
    port: parsePort(values.port),
    host: values.host ?? '127.0.0.1',
    logLevel: resolveLogLevel(values['log-level']),
  };
  const keyFile = values['hmac-key-file'];
  if (keyFile !== undefined) {
    let raw: Buffer;
    try {
      raw = await readFile(keyFile);
    } catch (err) {
      throw new Error(
        `--hmac-key-file: cannot read ${keyFile} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
        {
          cause: err,
        },
      );
    }
    const key = normalizeHmacKey(raw);
    if (key.length === 0) throw new Error(`--hmac-key-file: ${keyFile} is empty`);
    options.hmacKey = key;
  }
  if (values.record !== undefined) options.recordFile = values.record;
  options.maintenance = maintenanceOptions(values);
  if (values['max-body-bytes'] !== undefined) {
    const n = Number(values['max-body-bytes']);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--max-body-bytes must be a positive integer`);
    options.maxBodyBytes = n;
  }
  if (values['tolerance-seconds'] !== undefined) {
    const n = Number(values['tolerance-seconds']);
    if (!Number.isInteger(n) || n < 1 || n > 86_400)
      throw new Error(`--tolerance-seconds must be an integer from 1 to 86400`);
    options.toleranceSeconds = n;
  }
  return options;
}

export async function runConsumerCommand(args: string[]): Promise<number> {
  let options: ConsumerOptions | 'help';
  try {
    options = await parseOptions(args);
  } catch (err) {
    process.stderr.write(`doctor consumer: ${errorText(err)}\n\n${consumerUsage}`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(consumerUsage);
    return 0;
  }
  const logger = createLogger('consumer', options.logLevel);
  logger.info(`doctor-operator ${version} consumer starting`, { version, pid: process.pid });
  // Listen for signals before the listener is up: a SIGTERM right after start must still stop cleanly.
  let onSignal: (name: NodeJS.Signals) => void = () => undefined;
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (name) => resolve(name);
  });
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    let consumer: RunningConsumer;
    try {
      consumer = await startConsumer({ ...options, logger });
    } catch (err) {
      process.stderr.write(`doctor consumer: ${errorText(err)}\n`);
      return 1;
    }
    const signal = await stopSignal;
    logger.info('doctor consumer stopping', { signal });
    await consumer.close();
    return 0;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

// Set-up for remediation against the real Nova simulator, the real OpenStack client, the real sample
// consumer (`doctor consumer` in-process, HMAC checked, arrivals recorded to a file), on the test bed's
// in-memory Kubernetes side (bed.ts). Everything is stopped after each test.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningConsumer, startConsumer } from '../../../src/consumer/command.js';
import type { ArrivalRecord } from '../../../src/consumer/recorder.js';
import {
  openStackNovaFactory,
  type RemediationExecutor,
  type RemediationDeps,
  type RemediationOptionsInput,
} from '../../../src/remediation/index.js';
import type { FaultPolicy } from '../../../src/api/types.js';
import { type NovaSim, type SimOptions, start } from '../../../tools/nova-sim/index.js';
import { executorOn, memoryKube, type MemoryKube } from './bed.js';
import { policy, silentLogger, target } from './fakes.js';

export const hmacKey = 'integration-hmac-key';
export const quickClientRetry = { maxAttempts: 6, baseDelayMs: 2, maxDelayMs: 20, deadlineMs: 10_000 };
export const quickExecutorOptions: RemediationOptionsInput = {
  notificationRetry: { baseMs: 20, capMs: 200 },
  stepRetry: { maxAttempts: 6, baseMs: 20, capMs: 200 },
  status: { minIntervalMs: 20, lazyMs: 200, retryBaseMs: 10, retryCapMs: 50 },
  stopTimeoutMs: 5000,
};

export interface Consumer {
  running: RunningConsumer | undefined;
  port: number;
  url: string;
  recordFile: string;
  arrivals(): ArrivalRecord[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface Bed extends MemoryKube {
  sim: NovaSim;
  consumer: Consumer;
  policy: FaultPolicy;
  /** `extra` adds to (or replaces) the executor's dependencies, e.g. metrics. */
  executor(options?: RemediationOptionsInput, extra?: Partial<RemediationDeps>): RemediationExecutor;
}

export function useBed() {
  const cleanups: (() => Promise<void> | void)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  return async function bed(simOptions: SimOptions, clientPageSize = 25): Promise<Bed> {
    const sim = await start(simOptions);
    cleanups.push(() => sim.stop());
    const dir = mkdtempSync(join(tmpdir(), 'doctor-remediation-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const recordFile = join(dir, 'arrivals.jsonl');

    const consumer: Consumer = {
      running: undefined,
      port: 0,
      url: '',
      recordFile,
      arrivals() {
        let text: string;
        try {
          text = readFileSync(recordFile, 'utf8');
        } catch {
          return [];
        }
        return text
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as ArrivalRecord);
      },
      async start() {
        this.running = await startConsumer({
          port: this.port,
          host: '127.0.0.1',
          hmacKey: Buffer.from(hmacKey),
          recordFile,
          logger: silentLogger(),
        });
        this.url = this.running.url;
        this.port = Number(new URL(this.url).port);
      },
      async stop() {
        const running = this.running;
        this.running = undefined;
        await running?.close();
      },
    };
    await consumer.start();
    cleanups.push(() => consumer.stop());

    const kube = memoryKube({
      'openstack-clouds/clouds.yaml': sim.cloudsYaml(),
      'vnfm-hmac/key': `${hmacKey}\n`,
    });
    const p = policy({
      notify: [target({ url: `${consumer.url}/failure`, secretRef: { name: 'vnfm-hmac', key: 'key' } })],
    });
    return {
      ...kube,
      sim,
      consumer,
      policy: p,
      executor(options = {}, extra = {}) {
        const executor = executorOn(kube, {
          novaFactory: openStackNovaFactory({
            retry: quickClientRetry,
            timeoutMs: 5000,
            pageSize: clientPageSize,
          }),
          options: { ...quickExecutorOptions, ...options },
          ...extra,
        });
        cleanups.push(() => executor.stop());
        return executor;
      },
    };
  };
}

/** Arrivals per notification id: every id must appear exactly once for "never sent twice". */
export function countById(arrivals: ArrivalRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const a of arrivals) counts.set(a.id ?? '', (counts.get(a.id ?? '') ?? 0) + 1);
  return counts;
}

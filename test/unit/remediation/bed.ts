// An executor wired to fakes, with quick retries, torn down after each test.
import { RemediationExecutor, type RemediationOptionsInput } from '../../../src/remediation/index.js';
import type { RemediationView } from '../../../src/remediation/index.js';
import {
  FakeConsumers,
  FakeNova,
  fakeNovaFactory,
  MapSecrets,
  MemoryEvents,
  MemoryStatusStore,
  MemoryTainter,
  silentLogger,
} from './fakes.js';

export const quickOptions: RemediationOptionsInput = {
  notificationRetry: { baseMs: 5, capMs: 20 },
  stepRetry: { maxAttempts: 4, baseMs: 5, capMs: 20 },
  status: { minIntervalMs: 10, lazyMs: 30, retryBaseMs: 5, retryCapMs: 20 },
  stopTimeoutMs: 2000,
};

export interface Bed {
  executor: RemediationExecutor;
  nova: FakeNova;
  store: MemoryStatusStore;
  secrets: MapSecrets;
  tainter: MemoryTainter;
  events: MemoryEvents;
  consumers: FakeConsumers;
  novaClientsMade: string[];
  novaClientsClosed: string[];
}

export function useExecutors() {
  const executors: RemediationExecutor[] = [];
  afterEach(async () => {
    await Promise.all(executors.splice(0).map((e) => e.stop()));
  });

  return function bed(
    shared: Partial<Omit<Bed, 'executor'>> = {},
    options: RemediationOptionsInput = {},
    initial: Record<string, RemediationView> = {},
  ): Bed {
    const nova = shared.nova ?? new FakeNova();
    const store = shared.store ?? new MemoryStatusStore(initial);
    const secrets =
      shared.secrets ?? new MapSecrets({ 'openstack-clouds/clouds.yaml': 'clouds: {}', 'hmac/key': 'k3y\n' });
    const tainter = shared.tainter ?? new MemoryTainter();
    const events = shared.events ?? new MemoryEvents();
    const consumers = shared.consumers ?? new FakeConsumers();
    const novaClientsMade = shared.novaClientsMade ?? [];
    const novaClientsClosed = shared.novaClientsClosed ?? [];
    const executor = new RemediationExecutor({
      statusWriter: store,
      statusReader: store,
      secrets,
      tainter,
      events,
      logger: silentLogger(),
      novaFactory: fakeNovaFactory(nova, novaClientsMade, novaClientsClosed),
      deliver: consumers.deliver,
      options: { ...quickOptions, ...options },
    });
    executors.push(executor);
    return {
      executor,
      nova,
      store,
      secrets,
      tainter,
      events,
      consumers,
      novaClientsMade,
      novaClientsClosed,
    };
  };
}

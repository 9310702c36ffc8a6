// The one test bed for remediation: the Kubernetes side in memory (status, Secrets, taints, Events) and an
// executor on it. Unit tests put fakes behind it (useExecutors); the Nova-simulator tests (sim-harness.ts)
// and the executor benchmark put the real OpenStack client and the simulator behind it.
import {
  RemediationExecutor,
  type RemediationDeps,
  type RemediationOptionsInput,
  type RemediationView,
} from '../../../src/remediation/index.js';
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

/** What remediation touches in Kubernetes, in memory. */
export interface MemoryKube {
  store: MemoryStatusStore;
  secrets: MapSecrets;
  tainter: MemoryTainter;
  events: MemoryEvents;
}

export function memoryKube(
  secrets: Record<string, string>,
  initial: Record<string, RemediationView> = {},
): MemoryKube {
  return {
    store: new MemoryStatusStore(initial),
    secrets: new MapSecrets(secrets),
    tainter: new MemoryTainter(),
    events: new MemoryEvents(),
  };
}

/** An executor on the in-memory Kubernetes side; Nova, delivery and options as the caller wires them. */
export function executorOn(
  kube: MemoryKube,
  wiring: Omit<RemediationDeps, 'statusWriter' | 'statusReader' | 'secrets' | 'tainter' | 'events'>,
): RemediationExecutor {
  return new RemediationExecutor({
    statusWriter: kube.store,
    statusReader: kube.store,
    secrets: kube.secrets,
    tainter: kube.tainter,
    events: kube.events,
    logger: silentLogger(),
    ...wiring,
  });
}

export interface Bed extends MemoryKube {
  executor: RemediationExecutor;
  nova: FakeNova;
  consumers: FakeConsumers;
  novaClientsMade: string[];
  novaClientsClosed: string[];
}

/** Executors on fakes, with quick retries, stopped after each test. */
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
    const fresh = memoryKube({ 'openstack-clouds/clouds.yaml': 'clouds: {}', 'hmac/key': 'k3y\n' }, initial);
    const kube: MemoryKube = {
      store: shared.store ?? fresh.store,
      secrets: shared.secrets ?? fresh.secrets,
      tainter: shared.tainter ?? fresh.tainter,
      events: shared.events ?? fresh.events,
    };
    const nova = shared.nova ?? new FakeNova();
    const consumers = shared.consumers ?? new FakeConsumers();
    const novaClientsMade = shared.novaClientsMade ?? [];
    const novaClientsClosed = shared.novaClientsClosed ?? [];
    const executor = executorOn(kube, {
      novaFactory: fakeNovaFactory(nova, novaClientsMade, novaClientsClosed),
      deliver: consumers.deliver,
      options: { ...quickOptions, ...options },
    });
    executors.push(executor);
    return { ...kube, executor, nova, consumers, novaClientsMade, novaClientsClosed };
  };
}

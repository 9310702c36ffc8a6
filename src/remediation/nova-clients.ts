// One Nova client per FaultPolicy, built from the clouds.yaml in the policy's cloudSecretRef Secret, with
// the policy's host directory (service ids, server lists). The client is rebuilt, and the old one closed,
// when the Secret's content, its name or the cloud name changes. The Secret is checked on warm-ups and
// on uses more than `secretCheckMs` after the last check: a fault never waits for the API server.
import { createHash } from 'node:crypto';
import type { FaultPolicy } from '../api/types.js';
import {
  ConnectionKeeper,
  createOpenStackClients,
  type NovaApi,
  type OpenStackClientOptions,
  osEnvCloudName,
  osEnvToCloudsYaml,
} from '../openstack/index.js';
import { HostDirectory, type RefreshOutcome } from './host-directory.js';
import type { NovaFactory, NovaHandle, SecretReader } from './ports.js';
import { observedHandle, type NovaCallObserver } from './nova-reachability.js';
import { errorText } from '../util/error-text.js';

interface Entry {
  /** The policy's reference (Secret name, key, cloud): a change means reading the Secret again. */
  reference: string;
  fingerprint: string;
  handle: Promise<NovaHandle>;
  directory: HostDirectory;
  checkedAt: number;
}

/** Sockets per Nova endpoint: as many as resets may be in flight across every host at once. */
export const novaMaxSockets = 256;

/** The default factory: the real client, with a connection pool large enough for the reset concurrency. */
export function openStackNovaFactory(options: OpenStackClientOptions = {}): NovaFactory {
  return async (cloudsYaml, cloud) => {
    const clients = await createOpenStackClients(cloudsYaml, cloud, {
      maxSockets: novaMaxSockets,
      ...options,
    });
    // One socket to Nova stays open between faults (connection-keeper.ts), from the first warm-up on.
    const keeper = new ConnectionKeeper(() => clients.nova.keepConnectionOpen());
    return {
      nova: clients.nova,
      warmUp: async () => {
        // The token first: a periodic warm-up renews it before it expires, off the fault path.
        await clients.session.getToken();
        await clients.nova.microversion();
        keeper.start();
      },
      close: () => {
        keeper.stop();
        clients.close();
      },
    };
  };
}

export class NovaClientCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly secrets: SecretReader,
    private readonly factory: NovaFactory,
    private readonly now: () => number = Date.now,
    private readonly secretCheckMs = 60_000,
    /** Told every operation's outcome (metrics, NovaReachable). */
    private readonly observer?: NovaCallObserver,
  ) {}

  /** The policy's Nova client; throws an Error naming the field when the policy or Secret is unusable. */
  async get(policy: FaultPolicy): Promise<NovaApi> {
    const entry = this.entries.get(policy.metadata.name);
    if (
      entry !== undefined &&
      entry.reference === referenceOf(policy) &&
      this.now() - entry.checkedAt < this.secretCheckMs
    )
      return (await entry.handle).nova;
    return (await this.entry(policy)).handle.then((h) => h.nova);
  }

  /** What the policy's last refresh learnt about its hosts (undefined before the first warm-up). */
  directory(policyName: string): HostDirectory | undefined {
    return this.entries.get(policyName)?.directory;
  }

  /**
   * Gets ready for a fault: checks the Secret, authenticates (token, microversion) and, for `hosts`
   * (Nova host names), learns the service ids and server lists. Call it periodically: it also renews
   * the token before it expires.
   */
  async warmUp(policy: FaultPolicy, hosts: readonly string[] = []): Promise<RefreshOutcome> {
    const entry = await this.entry(policy);
    const handle = await entry.handle;
    await handle.warmUp?.();
    return entry.directory.refresh(handle.nova, hosts);
  }

  /** Closes the policy's client (the policy was deleted or lost its Nova actions). */
  forget(policyName: string): void {
    const entry = this.entries.get(policyName);
    this.entries.delete(policyName);
    if (entry !== undefined) closeQuietly(entry.handle);
  }

  closeAll(): void {
    for (const name of [...this.entries.keys()]) this.forget(name);
  }

  /** openstack-helm's form: one OS_* key per field, turned into clouds.yaml text (cloud "os-env"). */
  private async osEnvCredentials(secretName: string): Promise<{ text: string; cloudName: string }> {
    if (this.secrets.readAll === undefined) throw new Error('this Secret reader cannot read whole Secrets');
    const data = await this.secrets.readAll(secretName);
    const env = Object.fromEntries(Object.entries(data).filter(([key]) => key.startsWith('OS_')));
    if (Object.keys(env).length === 0) throw new Error(`Secret ${secretName} has no OS_* keys`);
    return { text: osEnvToCloudsYaml(env), cloudName: osEnvCloudName };
  }

  private async entry(policy: FaultPolicy): Promise<Entry> {
    const name = policy.metadata.name;
    const nova = policy.spec.actions.nova;
    if (nova === undefined) throw new Error(`FaultPolicy ${name}: spec.actions.nova is not set`);
    const ref = nova.cloudSecretRef;
    if (nova.credentialsSecretRef === undefined) {
      if (ref === undefined || ref.name === '' || ref.key === '')
        throw this.unusable(
          name,
          `FaultPolicy ${name}: spec.actions.nova.cloudSecretRef needs a name and a key`,
        );
      if (nova.cloud === '')
        throw this.unusable(name, `FaultPolicy ${name}: spec.actions.nova.cloud is empty`);
    }
    let text: string;
    let cloudName = nova.cloud;
    try {
      if (nova.credentialsSecretRef !== undefined) {
        ({ text, cloudName } = await this.osEnvCredentials(nova.credentialsSecretRef.name));
      } else text = await this.secrets.read(ref?.name ?? '', ref?.key ?? '');
    } catch (err) {
      const field = nova.credentialsSecretRef !== undefined ? 'credentialsSecretRef' : 'cloudSecretRef';
      throw this.unusable(name, `FaultPolicy ${name}: spec.actions.nova.${field}: ${errorText(err)}`, err);
    }
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([referenceOf(policy), text]))
      .digest('hex');
    const current = this.entries.get(name);
    if (current !== undefined && current.fingerprint === fingerprint) {
      current.checkedAt = this.now();
      current.reference = referenceOf(policy);
      return current;
    }
    if (current !== undefined) closeQuietly(current.handle);
    const observer = this.observer;
    const handle = this.factory(text, cloudName).then(
      (built) => (observer !== undefined ? observedHandle(built, name, observer) : built),
      (err: unknown) => {
        observer?.unusable(name, err);
        throw err;
      },
    );
    const entry: Entry = {
      reference: referenceOf(policy),
      fingerprint,
      handle,
      directory: new HostDirectory(),
      checkedAt: this.now(),
    };
    this.entries.set(name, entry);
    // A client that could not be built is not cached: the next use tries again (the Secret may be fixed).
    handle.catch(() => {
      if (this.entries.get(name) === entry) this.entries.delete(name);
    });
    return entry;
  }

  /** The error to throw for a policy whose client cannot be built, after telling the observer. */
  private unusable(policy: string, message: string, cause?: unknown): Error {
    const err = new Error(message, cause !== undefined ? { cause } : {});
    this.observer?.unusable(policy, err);
    return err;
  }
}

function referenceOf(policy: FaultPolicy): string {
  const nova = policy.spec.actions.nova;
  return JSON.stringify([
    nova?.cloudSecretRef?.name,
    nova?.cloudSecretRef?.key,
    nova?.cloud,
    nova?.credentialsSecretRef?.name,
  ]);
}

function closeQuietly(handle: Promise<NovaHandle>): void {
  handle.then(
    (h) => h.close(),
    () => undefined,
  );
}

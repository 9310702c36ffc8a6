// One Nova client per FaultPolicy, built from the clouds.yaml in the policy's cloudSecretRef Secret. The
// Secret is read on every use (the SecretReader may cache) and the client is rebuilt, and the old one
// closed, when the Secret's content, its name or the cloud name changes.
import { createHash } from 'node:crypto';
import type { FaultPolicy } from '../api/types.js';
import { createOpenStackClients, type NovaApi, type OpenStackClientOptions } from '../openstack/index.js';
import type { NovaFactory, NovaHandle, SecretReader } from './ports.js';

interface Entry {
  fingerprint: string;
  handle: Promise<NovaHandle>;
}

/** The default factory: the real client, with a connection pool large enough for the reset concurrency. */
export function openStackNovaFactory(options: OpenStackClientOptions = {}): NovaFactory {
  return async (cloudsYaml, cloud) => {
    const clients = await createOpenStackClients(cloudsYaml, cloud, options);
    return {
      nova: clients.nova,
      warmUp: async () => {
        await clients.nova.microversion();
      },
      close: () => clients.close(),
    };
  };
}

export class NovaClientCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly secrets: SecretReader,
    private readonly factory: NovaFactory,
  ) {}

  /** The policy's Nova client; throws an Error naming the field when the policy or Secret is unusable. */
  async get(policy: FaultPolicy): Promise<NovaApi> {
    return (await this.handle(policy)).nova;
  }

  /** Authenticates ahead of the first fault, so the fault path starts with a token and a microversion. */
  async warmUp(policy: FaultPolicy): Promise<void> {
    const handle = await this.handle(policy);
    await handle.warmUp?.();
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

  private async handle(policy: FaultPolicy): Promise<NovaHandle> {
    const name = policy.metadata.name;
    const nova = policy.spec.actions.nova;
    if (nova === undefined) throw new Error(`FaultPolicy ${name}: spec.actions.nova is not set`);
    const ref = nova.cloudSecretRef;
    if (ref === undefined || ref.name === '' || ref.key === '')
      throw new Error(`FaultPolicy ${name}: spec.actions.nova.cloudSecretRef needs a name and a key`);
    if (nova.cloud === '') throw new Error(`FaultPolicy ${name}: spec.actions.nova.cloud is empty`);
    let text: string;
    try {
      text = await this.secrets.read(ref.name, ref.key);
    } catch (err) {
      throw new Error(
        `FaultPolicy ${name}: spec.actions.nova.cloudSecretRef: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([ref.name, ref.key, nova.cloud, text]))
      .digest('hex');
    const current = this.entries.get(name);
    if (current !== undefined && current.fingerprint === fingerprint) return current.handle;
    if (current !== undefined) closeQuietly(current.handle);
    const handle = this.factory(text, nova.cloud);
    const entry = { fingerprint, handle };
    this.entries.set(name, entry);
    // A client that could not be built is not cached: the next use tries again (the Secret may be fixed).
    handle.catch(() => {
      if (this.entries.get(name) === entry) this.entries.delete(name);
    });
    return handle;
  }
}

function closeQuietly(handle: Promise<NovaHandle>): void {
  handle.then(
    (h) => h.close(),
    () => undefined,
  );
}

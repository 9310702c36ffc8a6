// Notify targets of a policy: which servers each one wants (the project filter), its HMAC key, read
// from the target's secretRef in the operator's namespace, and the connection pool trusting its caBundle.
import type { NotifyTarget } from '../api/types.js';
import { caAgents, normalizeHmacKey } from '../notify/index.js';
import type { HttpAgents } from '../util/http-client.js';
import type { SecretReader } from './ports.js';
import { errorText } from '../util/error-text.js';

/** `projects` empty = every server; otherwise only servers owned by one of those Nova project ids. */
export function targetWantsProject(target: NotifyTarget, projectId: string): boolean {
  return target.projects.length === 0 || target.projects.includes(projectId);
}

/**
 * Reads HMAC keys once per target and remembers them for the job. A key that cannot be read is an error
 * for that delivery (retried later): sending unsigned would be refused by a consumer that checks, and
 * would silently drop the protection the admin asked for.
 */
export class HmacKeys {
  private readonly keys = new Map<string, Promise<Buffer | undefined>>();

  constructor(private readonly secrets: SecretReader) {}

  keyFor(target: NotifyTarget): Promise<Buffer | undefined> {
    const ref = target.secretRef;
    if (ref === undefined) return Promise.resolve(undefined);
    const cacheKey = `${target.name}\u0000${ref.name}\u0000${ref.key}`;
    let key = this.keys.get(cacheKey);
    if (key === undefined) {
      key = this.read(target);
      this.keys.set(cacheKey, key);
      key.catch(() => this.keys.delete(cacheKey));
    }
    return key;
  }

  private async read(target: NotifyTarget): Promise<Buffer> {
    const ref = target.secretRef as { name: string; key: string };
    let raw: string;
    try {
      raw = await this.secrets.read(ref.name, ref.key);
    } catch (err) {
      throw new Error(`notify target ${target.name}: secretRef ${ref.name}/${ref.key}: ${errorText(err)}`, {
        cause: err,
      });
    }
    const key = normalizeHmacKey(raw);
    if (key.length === 0)
      throw new Error(`notify target ${target.name}: secretRef ${ref.name}/${ref.key} is empty`);
    return key;
  }
}

/**
 * The connection pool of a target with a caBundle (undefined without one: the shared pool and the
 * system roots). A bundle that cannot be read or is not PEM fails the delivery (retried later) rather
 * than falling back to the system roots the admin chose not to trust.
 */
export async function agentsFor(
  target: NotifyTarget,
  secrets: SecretReader,
): Promise<HttpAgents | undefined> {
  const bundle = target.caBundle;
  if (bundle === undefined) return undefined;
  const pem = await bundlePem(target, secrets);
  try {
    return caAgents(pem);
  } catch (err) {
    throw new Error(`notify target ${target.name}: ${errorText(err)}`, { cause: err });
  }
}

async function bundlePem(target: NotifyTarget, secrets: SecretReader): Promise<string> {
  const bundle = target.caBundle ?? {};
  if (bundle.pem !== undefined) return bundle.pem;
  const [field, ref, read] =
    bundle.secretRef !== undefined
      ? (['secretRef', bundle.secretRef, (n: string, k: string) => secrets.read(n, k)] as const)
      : bundle.configMapRef !== undefined && secrets.readConfigMap !== undefined
        ? (['configMapRef', bundle.configMapRef, secrets.readConfigMap.bind(secrets)] as const)
        : [];
  if (field === undefined)
    throw new Error(
      `notify target ${target.name}: caBundle has no pem, secretRef or configMapRef it can read`,
    );
  try {
    return await read(ref.name, ref.key);
  } catch (err) {
    throw new Error(
      `notify target ${target.name}: caBundle.${field} ${ref.name}/${ref.key}: ${errorText(err)}`,
      {
        cause: err,
      },
    );
  }
}

// Builds a ready Nova client from clouds.yaml text (the policy's Secret): parses the cloud, loads the CA
// bundle, and wires one keep-alive connection pool shared by the Keystone session and the Nova client.
import { readFile } from 'node:fs/promises';
import { type CloudConfig, isInlinePem, parseCloudsYaml } from './clouds.js';
import { OpenStackConfigError } from './errors.js';
import { HttpAgents } from '../util/http-client.js';
import { type CallObserver, KeystoneSession } from './keystone.js';
import { NovaClient } from './nova.js';
import type { RetryPolicy } from './retry.js';
import { errorText } from '../util/error-text.js';

export interface OpenStackClientOptions {
  timeoutMs?: number;
  retry?: RetryPolicy;
  maxMicroversion?: string;
  pageSize?: number;
  refreshMarginMs?: number;
  /** Connection pool size per scheme; should be at least the reset concurrency. */
  maxSockets?: number;
  onCall?: CallObserver;
  /** Reads the cacert file; injectable for tests. */
  readCaFile?: (path: string) => Promise<Buffer>;
}

export interface OpenStackClients {
  cloud: CloudConfig;
  session: KeystoneSession;
  nova: NovaClient;
  /** Closes pooled connections. */
  close(): void;
}

async function loadCa(
  cloud: CloudConfig,
  read: (path: string) => Promise<Buffer>,
): Promise<string | Buffer | undefined> {
  if (cloud.cacert === undefined) return undefined;
  if (isInlinePem(cloud.cacert)) return cloud.cacert;
  try {
    return await read(cloud.cacert);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? errorText(err);
    throw new OpenStackConfigError(`clouds.${cloud.name}.cacert: cannot read ${cloud.cacert} (${reason})`);
  }
}

export async function createOpenStackClients(
  cloudsYaml: string,
  cloudName: string,
  options: OpenStackClientOptions = {},
): Promise<OpenStackClients> {
  const cloud = parseCloudsYaml(cloudsYaml, cloudName);
  const ca = await loadCa(cloud, options.readCaFile ?? ((path) => readFile(path)));
  const agents = new HttpAgents(
    { ...(ca !== undefined ? { ca } : {}), rejectUnauthorized: cloud.verify },
    options.maxSockets ?? 64,
  );
  const common = {
    agents,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.retry !== undefined ? { retry: options.retry } : {}),
    ...(options.onCall !== undefined ? { onCall: options.onCall } : {}),
  };
  const session = new KeystoneSession({
    auth: cloud.auth,
    ...common,
    ...(options.refreshMarginMs !== undefined ? { refreshMarginMs: options.refreshMarginMs } : {}),
  });
  const nova = new NovaClient({
    session,
    interface: cloud.interface,
    ...(cloud.regionName !== undefined ? { region: cloud.regionName } : {}),
    ...common,
    ...(options.maxMicroversion !== undefined ? { maxMicroversion: options.maxMicroversion } : {}),
    ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
  });
  return { cloud, session, nova, close: () => agents.destroy() };
}

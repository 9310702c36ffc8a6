// A test bed of simulated compute hosts: one network namespace per host, joined by a bridge that lives in
// its own "switch" namespace, so the root namespace only gains one veth (plus one for the optional
// management network) with a /24 inside 198.18.0.0/15. The root end of that veth is where a test's
// receiver listens. Hosts have no default route: their traffic can only reach the test bed.
//
//   root ns: dd<suffix> 198.Y.X.1 ──┐            ┌── host ns "node-1": eth0 198.Y.X.2 [, mgmt0 198.Y.Z.2]
//                                   └─ switch ns: br0 ─┼── host ns "node-2": eth0 198.Y.X.3
//   root ns: dm<suffix> 198.Y.Z.1 ──── br1 (management network, optional)
//
// Faults: setNic() is `ip link set eth0 down` inside the host (Doctor's functest fault); setSwitchPort()
// pulls the host's cable at the switch; setReceiverPath() cuts the root end of the receiver's network.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { run, runIgnoring } from './run.js';
import {
  releaseSubnet,
  removeRecord,
  reserveSubnet,
  staleRecords,
  staleSubnets,
  writeRecord,
  type TestbedRecord,
} from './registry.js';

export interface TestbedOptions {
  /** Number of simulated hosts (2..200). */
  hosts: number;
  /** Give every host a second NIC (mgmt0) on a separate bridge that carries reports to the receiver. */
  managementNetwork?: boolean;
  /** Host names are `${hostPrefix}${i}` starting at 1; default "node-". */
  hostPrefix?: string;
}

export interface SimHost {
  name: string;
  netns: string;
  /** Address of eth0, the NIC that peers probe. */
  address: string;
  /** Address of mgmt0 when the test bed has a management network. */
  managementAddress?: string;
  /** Name of the host's port in the switch namespace. */
  switchPort: string;
}

export type LinkState = 'up' | 'down';

export interface NicSwitch {
  /** Queues the link change; it takes effect within a fraction of a millisecond. */
  set(state: LinkState): void;
  close(): void;
}

const namePattern = /^[a-z0-9-]+$/;

export class Testbed {
  private readonly children = new Set<ChildProcess>();
  private destroyed = false;

  constructor(
    readonly suffix: string,
    readonly switchNetns: string,
    readonly hosts: SimHost[],
    /** Root-namespace address on the data network. */
    readonly gateway: string,
    /** Root-namespace address on the management network, when there is one. */
    readonly managementGateway: string | undefined,
    private readonly record: TestbedRecord,
  ) {}

  /** Where a receiver (inspector stand-in) should listen so that every host can reach it. */
  get receiverAddress(): string {
    return this.managementGateway ?? this.gateway;
  }

  host(name: string): SimHost {
    const host = this.hosts.find((h) => h.name === name);
    if (!host) throw new Error(`test bed ${this.suffix} has no host named ${name}`);
    return host;
  }

  /** The host's own NIC, administratively (what an operator or a failing driver does). */
  async setNic(name: string, state: LinkState): Promise<void> {
    await run('ip', ['-n', this.host(name).netns, 'link', 'set', 'eth0', state]);
  }

  /** The host's switch port: the host sees its carrier drop, like a pulled cable. */
  async setSwitchPort(name: string, state: LinkState): Promise<void> {
    await run('ip', ['-n', this.switchNetns, 'link', 'set', this.host(name).switchPort, state]);
  }

  /** The root end of the receiver's network: down makes the receiver unreachable (packets vanish). */
  async setReceiverPath(state: LinkState): Promise<void> {
    const link = this.managementGateway ? `dm${this.suffix}` : `dd${this.suffix}`;
    await run('ip', ['link', 'set', link, state]);
  }

  /**
   * A switch for the host's eth0 backed by a long-lived `ip -batch -` in its namespace: flipping it is a
   * pipe write, not a process start, so a benchmark knows the fault time to a fraction of a millisecond.
   */
  nicSwitch(name: string): NicSwitch {
    const child = spawn('ip', ['-n', this.host(name).netns, '-force', '-batch', '-'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
    return {
      set(state: LinkState): void {
        if (child.exitCode !== null || !child.stdin)
          throw new Error(`ip -batch for ${name} exited: ${errors}`);
        child.stdin.write(`link set eth0 ${state}\n`);
      },
      close(): void {
        child.stdin?.end();
      },
    };
  }

  /** Starts a process inside a host's namespace. It is killed by destroy() if still running. */
  spawnIn(name: string, command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.host(name).netns, command, ...args], {
      ...options,
      // Own process group, so destroy() can kill the process and whatever it started.
      detached: true,
    });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** Removes everything this test bed created. Safe to call twice and after a partial creation. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const child of this.children) killGroup(child.pid);
    await teardown(this.record);
  }
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Kills processes left inside our namespaces (a namespace with live processes survives `netns del`). */
async function killNamespaceProcesses(netns: string): Promise<void> {
  try {
    const { stdout } = await run('ip', ['netns', 'pids', netns]);
    for (const pid of stdout.split(/\s+/).filter(Boolean).map(Number)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Exited meanwhile.
      }
    }
  } catch {
    // The namespace does not exist (partial creation).
  }
}

async function teardown(record: TestbedRecord): Promise<void> {
  await Promise.all(record.namespaces.map(killNamespaceProcesses));
  await Promise.all(
    record.namespaces.map((ns) => runIgnoring('ip', ['netns', 'del', ns], /No such file|Invalid/i)),
  );
  // Deleting a namespace removes its veth ends asynchronously; remove the root ends now, deterministically.
  for (const link of record.rootLinks) {
    await runIgnoring('ip', ['link', 'del', link], /Cannot find device/i);
  }
  for (const subnet of record.subnets) releaseSubnet(subnet);
  removeRecord(record.suffix);
}

/** Removes test beds (and subnet reservations) left by processes that died without cleaning up. */
export async function sweepStaleTestbeds(): Promise<number> {
  const stale = staleRecords();
  for (const record of stale) await teardown(record);
  for (const subnet of staleSubnets()) releaseSubnet(subnet);
  return stale.length;
}

async function usedPrefixes(): Promise<string> {
  const [addrs, routes] = await Promise.all([run('ip', ['-4', '-o', 'addr']), run('ip', ['-4', 'route'])]);
  return addrs.stdout + routes.stdout;
}

/** Picks and reserves a free /24 inside 198.18.0.0/15; returns its first three octets. */
async function pickSubnet(owner: string): Promise<string> {
  const used = await usedPrefixes();
  for (let attempt = 0; attempt < 64; attempt++) {
    const prefix = `198.${18 + (randomBytes(1)[0]! & 1)}.${randomBytes(1)[0]!}`;
    if (used.includes(`${prefix}.`)) continue;
    if (reserveSubnet(prefix, owner)) return prefix;
  }
  throw new Error('no free /24 found in 198.18.0.0/15 after 64 attempts');
}

async function addHost(
  record: TestbedRecord,
  switchNs: string,
  name: string,
  index: number,
  data: string,
  mgmt: string | undefined,
  suffix: string,
): Promise<SimHost> {
  const netns = `doctor-${suffix}-${name}`;
  record.namespaces.push(netns);
  await run('ip', ['netns', 'add', netns]);
  await run('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
  const port = `h${index}`;
  const address = `${data}.${index + 1}`;
  await run('ip', [
    '-n',
    switchNs,
    'link',
    'add',
    port,
    'type',
    'veth',
    'peer',
    'name',
    'eth0',
    'netns',
    netns,
  ]);
  await run('ip', ['-n', switchNs, 'link', 'set', port, 'master', 'br0', 'up']);
  await run('ip', ['-n', netns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
  await run('ip', ['-n', netns, 'link', 'set', 'eth0', 'up']);
  const host: SimHost = { name, netns, address, switchPort: port };
  if (mgmt !== undefined) {
    const mport = `m${index}`;
    host.managementAddress = `${mgmt}.${index + 1}`;
    await run('ip', [
      '-n',
      switchNs,
      'link',
      'add',
      mport,
      'type',
      'veth',
      'peer',
      'name',
      'mgmt0',
      'netns',
      netns,
    ]);
    await run('ip', ['-n', switchNs, 'link', 'set', mport, 'master', 'br1', 'up']);
    await run('ip', ['-n', netns, 'addr', 'add', `${host.managementAddress}/24`, 'dev', 'mgmt0']);
    await run('ip', ['-n', netns, 'link', 'set', 'mgmt0', 'up']);
  }
  return host;
}

/** Adds a bridge in the switch namespace and a root-namespace veth into it carrying `gateway`/24. */
async function addNetwork(
  switchNs: string,
  bridge: string,
  rootLink: string,
  gateway: string,
): Promise<void> {
  await run('ip', ['-n', switchNs, 'link', 'add', bridge, 'type', 'bridge']);
  await run('ip', ['-n', switchNs, 'link', 'set', bridge, 'up']);
  const uplink = `up-${bridge}`;
  await run('ip', ['link', 'add', rootLink, 'type', 'veth', 'peer', 'name', uplink, 'netns', switchNs]);
  await run('ip', ['-n', switchNs, 'link', 'set', uplink, 'master', bridge, 'up']);
  await run('ip', ['addr', 'add', `${gateway}/24`, 'dev', rootLink]);
  await run('ip', ['link', 'set', rootLink, 'up']);
}

export async function createTestbed(options: TestbedOptions): Promise<Testbed> {
  const count = options.hosts;
  if (!Number.isInteger(count) || count < 2 || count > 200) {
    throw new Error(`hosts must be an integer 2..200, got ${count}`);
  }
  const prefix = options.hostPrefix ?? 'node-';
  if (!namePattern.test(prefix))
    throw new Error(`hostPrefix must match ${String(namePattern)}, got ${prefix}`);
  await sweepStaleTestbeds();

  const suffix = randomBytes(3).toString('hex');
  const switchNs = `doctor-${suffix}-sw`;
  const record: TestbedRecord = { suffix, pid: process.pid, namespaces: [], rootLinks: [], subnets: [] };
  try {
    const data = await pickSubnet(String(process.pid));
    record.subnets.push(data);
    const mgmt = options.managementNetwork ? await pickSubnet(String(process.pid)) : undefined;
    if (mgmt !== undefined) record.subnets.push(mgmt);
    record.namespaces.push(switchNs);
    record.rootLinks.push(`dd${suffix}`);
    if (mgmt !== undefined) record.rootLinks.push(`dm${suffix}`);
    writeRecord(record);

    await run('ip', ['netns', 'add', switchNs]);
    await addNetwork(switchNs, 'br0', `dd${suffix}`, `${data}.1`);
    if (mgmt !== undefined) await addNetwork(switchNs, 'br1', `dm${suffix}`, `${mgmt}.1`);
    const hosts: SimHost[] = [];
    for (let i = 1; i <= count; i++) {
      hosts.push(await addHost(record, switchNs, `${prefix}${i}`, i, data, mgmt, suffix));
      writeRecord(record);
    }
    return new Testbed(
      suffix,
      switchNs,
      hosts,
      `${data}.1`,
      mgmt === undefined ? undefined : `${mgmt}.1`,
      record,
    );
  } catch (err) {
    await teardown(record);
    throw err;
  }
}

// Bookkeeping shared by every test bed on this machine (several engineers and CI jobs run in parallel):
// - a /24 inside 198.18.0.0/15 is reserved by creating a directory named after it (mkdir is atomic), so
//   two test beds never pick the same subnet;
// - each test bed writes a record of what it created, so a later run can remove the leftovers of a run
//   that was killed (only when the process that made it is gone).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const registryDir = process.env.DOCTOR_NETNS_REGISTRY ?? '/tmp/doctor-netns';
const subnetDir = join(registryDir, 'subnets');
const bedDir = join(registryDir, 'beds');

export interface TestbedRecord {
  suffix: string;
  pid: number;
  namespaces: string[];
  rootLinks: string[];
  subnets: string[];
}

function ensureDirs(): void {
  mkdirSync(subnetDir, { recursive: true });
  mkdirSync(bedDir, { recursive: true });
}

/** Reserves the subnet (e.g. "198.19.42") for this process; false when someone else holds it. */
export function reserveSubnet(prefix: string, owner: string): boolean {
  ensureDirs();
  try {
    mkdirSync(join(subnetDir, prefix));
  } catch {
    return false;
  }
  writeFileSync(join(subnetDir, prefix, 'owner'), owner);
  return true;
}

export function releaseSubnet(prefix: string): void {
  rmSync(join(subnetDir, prefix), { recursive: true, force: true });
}

export function writeRecord(record: TestbedRecord): void {
  ensureDirs();
  writeFileSync(join(bedDir, `${record.suffix}.json`), JSON.stringify(record));
}

export function removeRecord(suffix: string): void {
  rmSync(join(bedDir, `${suffix}.json`), { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Records of test beds whose creating process no longer exists. */
export function staleRecords(): TestbedRecord[] {
  ensureDirs();
  const stale: TestbedRecord[] = [];
  for (const file of readdirSync(bedDir)) {
    if (!file.endsWith('.json')) continue;
    try {
      const record = JSON.parse(readFileSync(join(bedDir, file), 'utf8')) as TestbedRecord;
      if (!isAlive(record.pid)) stale.push(record);
    } catch {
      // A half-written record: its owner is still writing it or died mid-write; leave it.
    }
  }
  return stale;
}

/** Subnet reservations whose owning process (pid in the owner file) no longer exists. */
export function staleSubnets(): string[] {
  ensureDirs();
  const stale: string[] = [];
  for (const prefix of readdirSync(subnetDir)) {
    try {
      const pid = Number(readFileSync(join(subnetDir, prefix, 'owner'), 'utf8'));
      if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) stale.push(prefix);
    } catch {
      // No owner file yet: the owner is between mkdir and write.
    }
  }
  return stale;
}

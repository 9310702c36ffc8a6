// Nova microversions: parsing the version document and choosing the version to speak. We take the
// highest version both sides know, so 2.53+ (service UUIDs, force-down in one call) is used wherever the
// cloud offers it, and fall back to the 2.11 force-down API on older clouds.
import { OpenStackConfigError } from './errors.js';

export interface Microversion {
  major: number;
  minor: number;
}

export interface VersionRange {
  min: Microversion;
  max: Microversion;
}

export function parseMicroversion(text: string): Microversion | undefined {
  const match = /^(\d+)\.(\d+)$/.exec(text.trim());
  if (match === null) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]) };
}

export function compareMicroversions(a: Microversion, b: Microversion): number {
  return a.major !== b.major ? a.major - b.major : a.minor - b.minor;
}

export function formatMicroversion(v: Microversion): string {
  return `${v.major}.${v.minor}`;
}

export function mv(text: string): Microversion {
  const parsed = parseMicroversion(text);
  if (parsed === undefined) throw new Error(`not a microversion: ${text}`);
  return parsed;
}

/** Force-down exists from 2.11; service UUIDs and the one-call update from 2.53. */
export const forceDownMinimum = mv('2.11');
export const serviceUuidMinimum = mv('2.53');
export const defaultWantedMaximum = mv('2.96');
/** os-migrateLive takes block_migration "auto" (and no disk_over_commit) from 2.25. */
export const liveMigrateAutoMinimum = mv('2.25');

/** The os-migrateLive arguments at a microversion: the scheduler picks the host when none is named. */
export function liveMigrateArgs(version: Microversion, host?: string): Record<string, unknown> {
  return compareMicroversions(version, liveMigrateAutoMinimum) >= 0
    ? { host: host ?? null, block_migration: 'auto' }
    : { host: host ?? null, block_migration: false, disk_over_commit: false };
}

interface VersionEntry {
  id?: unknown;
  version?: unknown;
  min_version?: unknown;
}

function rangeOf(entry: VersionEntry): VersionRange | undefined {
  if (typeof entry.version !== 'string' || typeof entry.min_version !== 'string') return undefined;
  const max = parseMicroversion(entry.version);
  const min = parseMicroversion(entry.min_version);
  if (max === undefined || min === undefined) return undefined;
  return { min, max };
}

/**
 * Reads `GET /v2.1/` ({"version": {...}}) or `GET /` ({"versions": [...]}) and returns the microversion
 * range of v2.1, or undefined when the API has no microversions (v2.0 only).
 */
export function parseVersionDocument(body: string): VersionRange | undefined {
  let doc: { version?: VersionEntry; versions?: VersionEntry[] };
  try {
    doc = JSON.parse(body) as typeof doc;
  } catch {
    throw new OpenStackConfigError('the Nova version document is not JSON');
  }
  if (doc.version !== undefined && typeof doc.version === 'object') return rangeOf(doc.version);
  if (Array.isArray(doc.versions)) {
    const v21 = doc.versions.find((v) => v !== null && typeof v === 'object' && v.id === 'v2.1');
    return v21 !== undefined ? rangeOf(v21) : undefined;
  }
  throw new OpenStackConfigError('the Nova version document has neither "version" nor "versions"');
}

/** The highest version in both ranges; an error when the cloud cannot force a service down at all. */
export function negotiate(
  range: VersionRange | undefined,
  wantedMax: Microversion = defaultWantedMaximum,
): Microversion {
  if (range === undefined) {
    throw new OpenStackConfigError(
      'the Nova API offers no microversions; force-down needs compute API 2.11 or later',
    );
  }
  const chosen = compareMicroversions(range.max, wantedMax) < 0 ? range.max : wantedMax;
  if (compareMicroversions(chosen, range.min) < 0) {
    throw new OpenStackConfigError(
      `no common compute microversion: the cloud offers ${formatMicroversion(range.min)}..` +
        `${formatMicroversion(range.max)}, this client speaks up to ${formatMicroversion(wantedMax)}`,
    );
  }
  if (compareMicroversions(chosen, forceDownMinimum) < 0) {
    throw new OpenStackConfigError(
      `the Nova API offers at most ${formatMicroversion(chosen)}; force-down needs compute API 2.11 or later`,
    );
  }
  return chosen;
}

/** Where the version document of a compute endpoint lives: ".../v2.1/{project_id}" -> ".../v2.1/". */
export function versionDocumentUrl(computeEndpoint: string): string {
  const url = new URL(computeEndpoint);
  const index = url.pathname.search(/\/v2(\.1)?(\/|$)/);
  if (index >= 0) {
    const segment = /\/v2(\.1)?/.exec(url.pathname.slice(index))?.[0] ?? '/v2.1';
    url.pathname = `${url.pathname.slice(0, index)}${segment}/`;
  } else {
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/`;
  }
  url.search = '';
  return url.href;
}

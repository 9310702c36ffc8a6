// Microversion handling as Nova does it: read `OpenStack-API-Version: compute X` (or the legacy
// `X-OpenStack-Nova-API-Version: X`), default to the minimum, "latest" means the maximum, a malformed
// value is 400 and a version outside [min, max] is 406. Every answer says which version it used.
// Written independently of src/openstack so a client bug is not mirrored here.
import type { NextFunction, Request, Response } from 'express';
import { novaError } from './errors.js';

export interface SimVersion {
  major: number;
  minor: number;
}

export function parseVersion(text: string): SimVersion | undefined {
  const match = /^(\d+)\.(\d+)$/.exec(text);
  return match === null ? undefined : { major: Number(match[1]), minor: Number(match[2]) };
}

export function versionAtLeast(v: SimVersion, text: string): boolean {
  const other = parseVersion(text);
  if (other === undefined) throw new Error(`bad version literal ${text}`);
  return v.major !== other.major ? v.major > other.major : v.minor >= other.minor;
}

function compare(a: SimVersion, b: SimVersion): number {
  return a.major !== b.major ? a.major - b.major : a.minor - b.minor;
}

/** The compute entry of `OpenStack-API-Version`, which may list several services. */
function requestedVersion(req: Request): string | undefined {
  const standard = req.get('OpenStack-API-Version');
  if (standard !== undefined) {
    for (const part of standard.split(',')) {
      const [service, version] = part.trim().split(/\s+/);
      if (service?.toLowerCase() === 'compute' && version !== undefined) return version;
    }
  }
  return req.get('X-OpenStack-Nova-API-Version')?.trim();
}

export function microversionMiddleware(range: () => { min: string; max: string }) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const { min, max } = range();
    const minV = parseVersion(min) as SimVersion;
    const maxV = parseVersion(max) as SimVersion;
    const requested = requestedVersion(req);
    let version: SimVersion;
    if (requested === undefined) version = minV;
    else if (requested.toLowerCase() === 'latest') version = maxV;
    else {
      const parsed = parseVersion(requested);
      if (parsed === undefined) {
        novaError(
          res,
          400,
          `API Version String ${requested} is of invalid format. Must be of format MajorNum.MinorNum.`,
        );
        return;
      }
      version = parsed;
    }
    const text = `${version.major}.${version.minor}`;
    res.setHeader('OpenStack-API-Version', `compute ${text}`);
    res.setHeader('X-OpenStack-Nova-API-Version', text);
    res.setHeader('Vary', 'OpenStack-API-Version, X-OpenStack-Nova-API-Version');
    if (compare(version, minV) < 0 || compare(version, maxV) > 0) {
      novaError(
        res,
        406,
        `Version ${text} is not supported by the API. Minimum is ${min} and maximum is ${max}.`,
      );
      return;
    }
    res.locals.version = version;
    next();
  };
}

export function requestVersion(res: Response): SimVersion {
  return res.locals.version as SimVersion;
}

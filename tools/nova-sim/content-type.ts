// Nova reads request bodies only as JSON: a body under any other Content-Type is refused with 415
// badMediaType "Unsupported Content-Type" before it is read. Real Nova ignores a body sent with no
// Content-Type (or text/plain) and then fails the call; the simulator refuses it with 415 as well, so a
// client that forgets the header learns why at once.
import type { NextFunction, Request, Response } from 'express';
import { novaError } from './errors.js';

const jsonTypes = new Set(['application/json', 'application/vnd.openstack.compute+json']);

export function requireJsonBody(req: Request, res: Response, next: NextFunction): void {
  const declaredLength = Number(req.headers['content-length'] ?? '0');
  const hasBody = declaredLength > 0 || req.headers['transfer-encoding'] !== undefined;
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!hasBody || jsonTypes.has(mediaType)) {
    next();
    return;
  }
  novaError(res, 415, 'Unsupported Content-Type');
}

// os-services (api-ref "Compute services"): listing with binary/host filters; from 2.53 services are
// addressed by UUID and updated with one PUT; from 2.11 to 2.52 by host and binary through the
// enable / disable / disable-log-reason / force-down actions. Admin only.
import express, { type Request, type Response, type Router } from 'express';
import { novaError } from './errors.js';
import { isAdmin } from './keystone.js';
import { requestVersion, type SimVersion, versionAtLeast } from './microversion.js';
import type { SimService, SimState } from './state.js';
import { type FieldRule, uuidPattern, validateObject, ValidationError } from './validate.js';

function view(service: SimService, version: SimVersion): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: versionAtLeast(version, '2.53') ? service.uuid : service.intId,
    binary: service.binary,
    host: service.host,
    zone: service.binary === 'nova-compute' ? 'nova' : 'internal',
    status: service.status,
    state: service.forcedDown ? 'down' : 'up',
    updated_at: service.updatedAt,
    disabled_reason: service.disabledReason,
  };
  if (versionAtLeast(version, '2.11')) body.forced_down = service.forcedDown;
  return body;
}

function forbidden(res: Response, policy: string): void {
  novaError(res, 403, `Policy doesn't allow ${policy} to be performed.`);
}

const reasonRule: FieldRule = { type: 'string', minLength: 1, maxLength: 255 };

// Nova's order at 2.53+: the body schema, then the id must look like a UUID (400 "Invalid uuid <id>",
// so the pre-2.53 action names and integer ids are refused as bad requests), then the policy, then 404.
function updateByUuid(state: SimState, req: Request, res: Response, version: SimVersion): void {
  const id = String(req.params.id);
  const body = validateObject(
    req.body,
    {
      status: { type: 'string', enum: ['enabled', 'disabled'] },
      disabled_reason: reasonRule,
      forced_down: { type: 'boolean' },
    },
    [],
  );
  if (!uuidPattern.test(id)) throw new ValidationError(`Invalid uuid ${id}`);
  if (!isAdmin(res)) {
    forbidden(res, 'os_compute_api:os-services:update');
    return;
  }
  const service = state.services.find((s) => s.uuid === id);
  if (service === undefined) {
    novaError(res, 404, `Service with id ${id} could not be found.`);
    return;
  }
  if (!('status' in body) && !('forced_down' in body)) {
    throw new ValidationError(
      "No updates were requested. Fields 'status' or 'forced_down' should be specified.",
    );
  }
  if ('disabled_reason' in body && body.status !== 'disabled') {
    throw new ValidationError(
      `Specifying 'disabled_reason' with status '${String(body.status)}' is invalid.`,
    );
  }
  if ('forced_down' in body && service.binary !== 'nova-compute') {
    throw new ValidationError(
      `Updating a ${service.binary} service is not supported. Only nova-compute services can be updated.`,
    );
  }
  if (body.status === 'enabled') {
    service.status = 'enabled';
    service.disabledReason = null;
  } else if (body.status === 'disabled') {
    service.status = 'disabled';
    service.disabledReason = typeof body.disabled_reason === 'string' ? body.disabled_reason : null;
  }
  if (typeof body.forced_down === 'boolean') service.forcedDown = body.forced_down;
  service.updatedAt = new Date().toISOString();
  res.json({ service: view(service, version) });
}

const legacyActions = new Set(['enable', 'disable', 'disable-log-reason', 'force-down']);

function updateByAction(state: SimState, req: Request, res: Response, version: SimVersion): void {
  const action = String(req.params.id);
  if (!legacyActions.has(action) || (action === 'force-down' && !versionAtLeast(version, '2.11'))) {
    novaError(res, 404, 'Unknown action');
    return;
  }
  const rules: Record<string, FieldRule> = {
    host: { type: 'string', minLength: 1, maxLength: 255 },
    binary: { type: 'string', minLength: 1, maxLength: 255 },
    disabled_reason: reasonRule,
  };
  if (versionAtLeast(version, '2.11')) rules.forced_down = { type: 'boolean' };
  const body = validateObject(req.body, rules, ['host', 'binary']);
  if (action === 'disable-log-reason' && !('disabled_reason' in body)) {
    throw new ValidationError('Missing disabled reason field');
  }
  if (action === 'force-down' && !('forced_down' in body))
    throw new ValidationError('Missing forced_down field');
  const service = state.services.find((s) => s.host === body.host && s.binary === body.binary);
  if (service === undefined) {
    novaError(res, 404, `Service ${String(body.binary)} on host ${String(body.host)} could not be found.`);
    return;
  }
  const reply: Record<string, unknown> = { host: service.host, binary: service.binary };
  if (action === 'force-down') {
    service.forcedDown = body.forced_down === true;
    reply.forced_down = service.forcedDown;
  } else {
    service.status = action === 'enable' ? 'enabled' : 'disabled';
    service.disabledReason = action === 'disable-log-reason' ? String(body.disabled_reason) : null;
    reply.status = service.status;
    if (action === 'disable-log-reason') reply.disabled_reason = service.disabledReason;
  }
  service.updatedAt = new Date().toISOString();
  res.json({ service: reply });
}

export function servicesRouter(state: SimState): Router {
  const router = express.Router();
  router.get('/os-services', (req, res) => {
    if (!isAdmin(res)) {
      forbidden(res, 'os_compute_api:os-services:list');
      return;
    }
    const { binary, host } = req.query;
    const services = state.services.filter(
      (s) =>
        (typeof binary !== 'string' || s.binary === binary) && (typeof host !== 'string' || s.host === host),
    );
    res.json({ services: services.map((s) => view(s, requestVersion(res))) });
  });
  router.put('/os-services/:id', (req, res) => {
    const version = requestVersion(res);
    // From 2.53 the path segment is a service UUID; the old action names are not UUIDs.
    if (versionAtLeast(version, '2.53')) {
      updateByUuid(state, req, res, version);
      return;
    }
    if (!isAdmin(res)) {
      forbidden(res, 'os_compute_api:os-services:update');
      return;
    }
    updateByAction(state, req, res, version);
  });
  return router;
}

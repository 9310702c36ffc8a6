// Whether a policy's Nova answers, learnt from every warm-up and Nova call: the outcome of one operation
// becomes the policy's NovaReachable condition (through the operator) and the Nova metrics. Any answer,
// even a refusal of the request (4xx), means Nova is reachable; no answer, a 5xx or refused credentials
// mean it is not usable.
import { ConditionReason } from '../api/conditions.js';
import {
  HttpTransportError,
  NovaServiceNotFoundError,
  OpenStackConfigError,
  OpenStackHttpError,
  type NovaApi,
} from '../openstack/index.js';
import { errorText } from '../util/error-text.js';
import type { NovaHandle } from './ports.js';
import type { NovaOperation, RemediationMetrics } from './metrics.js';

export interface NovaReachability {
  reachable: boolean;
  reason: string;
  message: string;
}

/** Told the outcome of each operation of a policy's Nova client (it must not throw). */
export type NovaReachabilitySink = (policy: string, outcome: NovaReachability) => void;

/** The reachability an operation's outcome shows; `err` undefined means it succeeded. */
export function reachabilityOf(operation: NovaOperation, err?: unknown): NovaReachability {
  if (err === undefined)
    return { reachable: true, reason: ConditionReason.NovaAnswered, message: `Nova answered ${operation}` };
  const text = `${operation}: ${errorText(err)}`.slice(0, 1000);
  if (err instanceof HttpTransportError)
    return { reachable: false, reason: ConditionReason.NovaUnreachable, message: text };
  if (err instanceof OpenStackHttpError) {
    if (err.status >= 500)
      return { reachable: false, reason: ConditionReason.NovaServerError, message: text };
    if (err.service === 'identity' && (err.status === 401 || err.status === 403))
      return { reachable: false, reason: ConditionReason.AuthenticationFailed, message: text };
    return { reachable: true, reason: ConditionReason.NovaAnswered, message: `Nova answered ${text}` };
  }
  if (err instanceof NovaServiceNotFoundError)
    return { reachable: true, reason: ConditionReason.NovaAnswered, message: `Nova answered ${text}` };
  if (err instanceof OpenStackConfigError)
    return { reachable: false, reason: ConditionReason.CloudConfigInvalid, message: text };
  return { reachable: false, reason: ConditionReason.NovaCallFailed, message: text };
}

/** What a policy's Nova client tells about each of its operations. */
export interface NovaCallObserver {
  ended(policy: string, operation: NovaOperation, err?: unknown): void;
  /** The policy's client could not be built (its Secret or clouds.yaml is unusable). */
  unusable(policy: string, err: unknown): void;
}

export function novaCallObserver(
  metrics: RemediationMetrics,
  sink: NovaReachabilitySink | undefined,
): NovaCallObserver {
  return {
    ended(policy, operation, err) {
      metrics.novaCalls.inc({ operation });
      if (err !== undefined) metrics.novaErrors.inc({ operation });
      sink?.(policy, reachabilityOf(operation, err));
    },
    unusable(policy, err) {
      sink?.(policy, {
        reachable: false,
        reason: ConditionReason.CloudConfigInvalid,
        message: errorText(err).slice(0, 1000),
      });
    },
  };
}

/** The handle with every Nova operation (and the warm-up's authentication) reported to `observer`. */
export function observedHandle(handle: NovaHandle, policy: string, observer: NovaCallObserver): NovaHandle {
  const observe = <T>(operation: NovaOperation, call: () => Promise<T>): Promise<T> =>
    call().then(
      (value) => {
        observer.ended(policy, operation);
        return value;
      },
      (err: unknown) => {
        observer.ended(policy, operation, err);
        throw err;
      },
    );
  const nova = handle.nova;
  const list = nova.listComputeServices?.bind(nova);
  const observed: NovaApi = {
    forceDown: (host, reason, known) => observe('forceDown', () => nova.forceDown(host, reason, known)),
    unforceDown: (host, known) => observe('unforce', () => nova.unforceDown(host, known)),
    listServersOnHost: (host) => observe('listServers', () => nova.listServersOnHost(host)),
    resetServerToError: (id) => observe('resetServer', () => nova.resetServerToError(id)),
    ...(list !== undefined
      ? { listComputeServices: (host?: string) => observe('listServices', () => list(host)) }
      : {}),
    ...(nova.microversion !== undefined ? { microversion: nova.microversion.bind(nova) } : {}),
  };
  const warmUp = handle.warmUp?.bind(handle);
  return {
    nova: observed,
    ...(warmUp !== undefined ? { warmUp: () => observe('authenticate', warmUp) } : {}),
    close: () => handle.close(),
  };
}

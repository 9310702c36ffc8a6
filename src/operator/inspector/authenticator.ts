// Who may post reports to /events. Monitors send their projected service-account token (audience
// doctor-inspector), checked with a TokenReview and cached briefly; the token also names the node the
// monitor's Pod runs on, and a monitor may only report as that node. External Doctor monitors use a
// static token from a Secret (X-Auth-Token or bearer). No authentication only when asked for.
import * as k8s from '@kubernetes/client-node';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { describeApiError } from '../api-errors.js';

export interface ReporterIdentity {
  kind: 'monitor' | 'static' | 'anonymous';
  /** Who, for logs: the service account user name, "static-token" or "anonymous". */
  name: string;
  /** For monitors: the node their Pod runs on; their reports must be about what that node observed. */
  node?: string;
}

export type AuthResult =
  { ok: true; identity: ReporterIdentity } | { ok: false; status: 401 | 403 | 503; error: string };

export interface Authenticator {
  authenticate(headers: IncomingHttpHeaders): Promise<AuthResult>;
}

export const nodeNameExtraKey = 'authentication.kubernetes.io/node-name';

function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const value = headers.authorization;
  const match = typeof value === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return match?.[1];
}

function presentedToken(headers: IncomingHttpHeaders): string | undefined {
  const xAuth = headers['x-auth-token'];
  return (
    bearerToken(headers) ?? (typeof xAuth === 'string' && xAuth.trim() !== '' ? xAuth.trim() : undefined)
  );
}

const missing: AuthResult = {
  ok: false,
  status: 401,
  error: 'authentication required: send a bearer token (Authorization: Bearer ...) or X-Auth-Token',
};

export function noAuthentication(): Authenticator {
  return {
    authenticate: () => Promise.resolve({ ok: true, identity: { kind: 'anonymous', name: 'anonymous' } }),
  };
}

/** A shared secret for external monitors; `current()` re-reads it so a rotated Secret takes effect. */
export function staticTokenAuthentication(current: () => string | undefined): Authenticator {
  return {
    authenticate(headers) {
      const token = presentedToken(headers);
      const expected = current();
      if (!token) return Promise.resolve(missing);
      if (
        expected &&
        token.length === expected.length &&
        timingSafeEqual(Buffer.from(token), Buffer.from(expected))
      ) {
        return Promise.resolve({ ok: true, identity: { kind: 'static', name: 'static-token' } });
      }
      return Promise.resolve({ ok: false, status: 401, error: 'the token is not valid for this inspector' });
    },
  };
}

export interface TokenReviewOptions {
  audience: string;
  /** Service-account user names allowed to report, e.g. system:serviceaccount:doctor-system:doctor-monitor. */
  allowedUsers: string[];
  cacheTtlMs?: number;
  now?: () => number;
}

/** Monitors' projected tokens, verified by the API server. Answers are cached so a report burst during a
 * fault costs no extra round trip. */
export function tokenReviewAuthentication(
  api: k8s.AuthenticationV1Api,
  options: TokenReviewOptions,
): Authenticator {
  const cache = new Map<string, { result: AuthResult; expires: number }>();
  const ttl = options.cacheTtlMs ?? 60_000;
  const now = options.now ?? Date.now;
  return {
    async authenticate(headers) {
      const token = bearerToken(headers);
      if (!token) return missing;
      const key = createHash('sha256').update(token).digest('hex');
      const cached = cache.get(key);
      if (cached && cached.expires > now()) return cached.result;
      let review: k8s.V1TokenReview;
      try {
        review = await api.createTokenReview({ body: { spec: { token, audiences: [options.audience] } } });
      } catch (err) {
        // Not the monitor's fault: it retries; do not cache.
        return { ok: false, status: 503, error: `could not verify the token: ${describeApiError(err)}` };
      }
      const result = judge(review, options);
      if (cache.size > 10_000) cache.clear();
      cache.set(key, { result, expires: now() + ttl });
      return result;
    },
  };
}

function judge(review: k8s.V1TokenReview, options: TokenReviewOptions): AuthResult {
  const status = review.status;
  if (!status?.authenticated) {
    return {
      ok: false,
      status: 401,
      error: `the token was not accepted${status?.error ? `: ${status.error}` : ''}`,
    };
  }
  if (!(status.audiences ?? []).includes(options.audience)) {
    return { ok: false, status: 401, error: `the token is not for audience ${options.audience}` };
  }
  const user = status.user?.username ?? '';
  if (!options.allowedUsers.includes(user)) {
    return { ok: false, status: 403, error: `${user || 'this user'} may not report to the inspector` };
  }
  const node = status.user?.extra?.[nodeNameExtraKey]?.[0];
  if (!node) {
    return {
      ok: false,
      status: 403,
      error: 'the token is not bound to a Pod on a node (use the projected token)',
    };
  }
  return { ok: true, identity: { kind: 'monitor', name: user, node } };
}

/** Tries each authenticator that the request's credentials could be for, in order. */
export function anyOf(...authenticators: Authenticator[]): Authenticator {
  return {
    async authenticate(headers) {
      let last: AuthResult = missing;
      for (const authenticator of authenticators) {
        last = await authenticator.authenticate(headers);
        if (last.ok) return last;
      }
      return last;
    },
  };
}

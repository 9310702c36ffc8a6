// Who may post reports to /events, and as which observer. Monitors send their projected service-account
// token (audience doctor-inspector), checked with a TokenReview; the token names the node the monitor's
// Pod runs on, and that node is the one observer its reports count for. External Doctor monitors send a
// static token from a Secret whose every key names the observer that key's token stands for. Without
// authentication (only when asked for) a report counts for whoever it says it is from.
import * as k8s from '@kubernetes/client-node';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { describeApiError } from '../runtime/api-errors.js';
import type { AuthResult, Authenticator } from './identity.js';
import { ReviewCache, tokenExpiry, type ReviewCacheOptions } from './review-cache.js';

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

export interface StaticToken {
  /** The observer reports with this token count for (the Secret key). */
  observer: string;
  token: string;
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Tokens for external monitors; `current()` re-reads them so a rotated Secret takes effect. */
export function staticTokenAuthentication(current: () => readonly StaticToken[]): Authenticator {
  return {
    authenticate(headers) {
      const token = presentedToken(headers);
      if (!token) return Promise.resolve(missing);
      // Digests have one length whatever was sent, so the comparison is constant-time and cannot throw.
      const presented = digest(token);
      let match: StaticToken | undefined;
      for (const entry of current()) {
        if (timingSafeEqual(presented, digest(entry.token)) && !match) match = entry;
      }
      if (match) {
        const identity = {
          kind: 'static' as const,
          name: `static-token:${match.observer}`,
          observer: match.observer,
        };
        return Promise.resolve({ ok: true as const, identity });
      }
      return Promise.resolve({ ok: false, status: 401, error: 'the token is not valid for this inspector' });
    },
  };
}

export interface TokenReviewOptions extends ReviewCacheOptions {
  audience: string;
  /** Service-account user names allowed to report, e.g. system:serviceaccount:doctor-system:doctor-monitor. */
  allowedUsers: string[];
}

/** Monitors' projected tokens, verified by the API server; answers are cached (see ReviewCache). */
export function tokenReviewAuthentication(
  api: k8s.AuthenticationV1Api,
  options: TokenReviewOptions,
): Authenticator {
  const cache = new ReviewCache(
    async (token) => {
      const review = await api.createTokenReview({
        body: { spec: { token, audiences: [options.audience] } },
      });
      const expiresAt = tokenExpiry(token);
      return {
        result: judge(review, options),
        ...(expiresAt === undefined ? {} : { tokenExpiresAt: expiresAt }),
      };
    },
    describeApiError,
    options,
  );
  return {
    authenticate(headers) {
      const token = bearerToken(headers);
      return token ? cache.authenticate(token) : Promise.resolve(missing);
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
  return { ok: true, identity: { kind: 'monitor', name: user, observer: node } };
}

/** Tries each authenticator that the request's credentials could be for, in order. */
export function anyOf(...authenticators: Authenticator[]): Authenticator {
  // One is the usual case (TokenReview alone): asked directly, a report costs no extra async step.
  if (authenticators.length === 1) return authenticators[0]!;
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

export type { AuthResult, Authenticator, ReporterIdentity } from './identity.js';

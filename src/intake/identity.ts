// Who sent a report, as authentication established it: shared by the authenticators, their cache and
// the /events handler.
import type { IncomingHttpHeaders } from 'node:http';

export interface ReporterIdentity {
  kind: 'monitor' | 'static' | 'anonymous';
  /** Who, for logs: the service account user name, "static-token:<observer>" or "anonymous". */
  name: string;
  /**
   * The one observer this reporter's reports count for: a monitor's node, or the observer a static
   * token names. Absent only without authentication.
   */
  observer?: string;
}

export type AuthResult =
  { ok: true; identity: ReporterIdentity } | { ok: false; status: 401 | 403 | 503; error: string };

export interface Authenticator {
  authenticate(headers: IncomingHttpHeaders): Promise<AuthResult>;
}

// The Nova operations remediation needs, as an interface so the remediation layer can be tested with a
// fake.

export interface ForceDownResult {
  host: string;
  /** The service UUID (2.53+); absent on the legacy API, which addresses services by host and binary. */
  serviceId?: string;
  /** The microversion the call was made with, e.g. "2.96". */
  microversion: string;
  api: 'uuid' | 'legacy';
}

export interface ServerSummary {
  id: string;
  name: string;
  /** Nova status, e.g. ACTIVE, ERROR. */
  status: string;
  /** The owning project (Nova's tenant_id). */
  projectId: string;
  host: string;
}

export interface ComputeService {
  /** UUID at 2.53+, the integer id as a string below. */
  id: string;
  host: string;
  binary: string;
  status: string;
  state: string;
  forcedDown: boolean;
  disabledReason?: string;
}

/** What a caller already knows about a host's nova-compute service, to skip looking it up. */
export interface KnownService {
  /** The service UUID (2.53+); a stale one costs one more lookup, never a wrong write. */
  serviceId?: string;
}

export interface NovaApi {
  /** Marks the host's nova-compute service forced down and disabled with `reason`. */
  forceDown(host: string, reason: string, known?: KnownService): Promise<ForceDownResult>;
  /** Clears forced_down and enables the service again. */
  unforceDown(host: string, known?: KnownService): Promise<ForceDownResult>;
  /** Every nova-compute service (to learn the service ids ahead of a fault). */
  listComputeServices?(host?: string): Promise<ComputeService[]>;
  /** The negotiated microversion, negotiating it (and authenticating) on first use. */
  microversion?(): Promise<string>;
  /** Every server on the host, across all projects and all pages, looked up live. */
  listServersOnHost(host: string): Promise<ServerSummary[]>;
  /** os-resetState to error; resolves when Nova accepted it (202). */
  resetServerToError(id: string): Promise<void>;
}

// Doctor resets with 50 threads: 64 in flight lets one host of 50 servers finish in a single round trip.
export const defaultResetConcurrency = 64;

/** One row of os-migrations. */
export interface MigrationRecord {
  id: string;
  serverId: string;
  sourceHost: string;
  destHost: string;
  /** Nova's migration status: live queued/preparing/running/completed/error, cold migrating/finished/confirmed/error. */
  status: string;
  type: string;
  createdAt: string;
}

/** The calls planned maintenance needs: keep new servers off a host and move its servers away. */
export interface NovaMaintenanceApi {
  /** Disables the host's nova-compute service with `reason` (not forced down: the host is healthy). */
  disableService(host: string, reason: string, known?: KnownService): Promise<ForceDownResult>;
  enableService(host: string, known?: KnownService): Promise<ForceDownResult>;
  listServersOnHost(host: string): Promise<ServerSummary[]>;
  /** os-migrateLive; `host` undefined lets the scheduler pick. Resolves on 202. */
  liveMigrateServer(id: string, host?: string): Promise<void>;
  /** migrate (cold); ends in VERIFY_RESIZE and needs confirmResize. Resolves on 202. */
  migrateServer(id: string, host?: string): Promise<void>;
  confirmResize(id: string): Promise<void>;
  /** The server's migrations, newest first. */
  listServerMigrations(id: string): Promise<MigrationRecord[]>;
}

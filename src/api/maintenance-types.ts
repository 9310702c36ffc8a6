// Shapes of planned maintenance in the doctor.io/v1alpha1 resources: the FaultPolicy's maintenance
// settings, the HostHealth spec fields an administrator sets, and the workflow's record in status.

/** How servers leave a host under maintenance: moved live, moved cold (stopped, confirmed), or left. */
export const migrationModes = ['live', 'cold', 'none'] as const;
export type MigrationMode = (typeof migrationModes)[number];

export interface MaintenancePolicy {
  /** A cordoned Node (spec.unschedulable) starts maintenance of its host, uncordoning ends it. */
  followNodeCordon: boolean;
  /** Migrations in flight at once per host. */
  maxParallelMigrations: number;
  /** Longest wait for one migration to end in Nova before it is recorded as failed. */
  migrationTimeoutSeconds: number;
}

export interface HostMaintenanceSpec {
  enabled: boolean;
  reason?: string;
  /** How long consumers have to answer before the workflow goes on without them. */
  maxWaitSeconds?: number;
  migration?: MigrationMode;
}

export const maintenancePhases = [
  'DisablingService',
  'WaitingForAnswers',
  'Migrating',
  'HostEmpty',
  'Blocked',
  'Completing',
  'Complete',
] as const;
export type MaintenancePhase = (typeof maintenancePhases)[number];

export const maintenanceSteps = [
  'disableService',
  'notify',
  'answers',
  'migrate',
  'reportEmpty',
  'enableService',
  'notifyComplete',
] as const;
export type MaintenanceStepName = (typeof maintenanceSteps)[number];

export const serverMaintenanceStates = [
  'Pending',
  'Migrating',
  'Migrated',
  'Failed',
  'Refused',
  'Left',
] as const;
export type ServerMaintenanceState = (typeof serverMaintenanceStates)[number];

/** One server of the host and what maintenance did with it. */
export interface MaintenanceServer {
  id: string;
  name?: string;
  project: string;
  /** ACK or NACK, from the consumer named in answeredBy; absent when nobody answered. */
  answer?: 'ACK' | 'NACK';
  answeredBy?: string;
  /** What is done with it: the answer's action, else the spec's migration mode. */
  action?: MigrationMode;
  state: ServerMaintenanceState;
  /** The Nova migration being tracked (survives a restart, so it is followed, not started again). */
  migrationId?: string;
  toHost?: string;
  message?: string;
  time?: string;
}

export interface MaintenanceStep {
  state: 'Running' | 'Done' | 'Failed' | 'Skipped';
  attempts?: number;
  message?: string;
  time?: string;
}

export interface MaintenanceStatus {
  /** Identifies one maintenance of this host: in notifications, answers and Events. */
  sessionId: string;
  /** What started it: spec.maintenance.enabled, the Node's cordon, or both. */
  trigger: 'spec' | 'cordon' | 'both';
  phase: MaintenancePhase;
  startedTime: string;
  /** When consumers' answers stop being waited for. */
  answersDeadline?: string;
  hostEmptyTime?: string;
  completedTime?: string;
  /** nova-compute was disabled or forced down before this maintenance: it is not enabled at the end. */
  serviceWasDown?: boolean;
  steps?: Partial<Record<MaintenanceStepName, MaintenanceStep>>;
  servers?: MaintenanceServer[];
}

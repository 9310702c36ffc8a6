// Status condition types and their reasons on FaultPolicy and HostHealth. Tools, alerts and docs match
// on these strings, so each is spelled once here.

export const ConditionType = {
  /** FaultPolicy: the operator has created every object of the policy as desired. */
  Ready: 'Ready',
  /** FaultPolicy: the monitor DaemonSet's pods are available. */
  MonitorsAvailable: 'MonitorsAvailable',
  /** FaultPolicy: some selected node is selected by another policy too. */
  NodeConflict: 'NodeConflict',
  /** FaultPolicy: protection.maxUnhealthy is exceeded and actions are held back. */
  StormActive: 'StormActive',
  /** FaultPolicy: the policy's Nova (and Keystone) answered the last warm-up or call. */
  NovaReachable: 'NovaReachable',
  /** HostHealth: the host is in the Healthy state (observers reach it). */
  Healthy: 'Healthy',
  /** HostHealth: every host-down action of the host's current (or last) fault is finished. */
  Remediated: 'Remediated',
  /** HostHealth: every interface in spec.monitor.interfaces exists on the node. */
  InterfacesPresent: 'InterfacesPresent',
} as const;

export const ConditionReason = {
  // Ready
  Reconciled: 'Reconciled',
  Converging: 'Converging',
  ReconcileFailed: 'ReconcileFailed',
  // MonitorsAvailable
  Rolling: 'Rolling',
  NoMonitors: 'NoMonitors',
  MonitorsStarting: 'MonitorsStarting',
  AllAvailable: 'AllAvailable',
  // NodeConflict
  SelectedByOtherPolicy: 'SelectedByOtherPolicy',
  NoConflict: 'NoConflict',
  // StormActive
  TooManyUnhealthy: 'TooManyUnhealthy',
  WithinLimit: 'WithinLimit',
  // NovaReachable
  NovaAnswered: 'NovaAnswered',
  NovaUnreachable: 'NovaUnreachable',
  NovaServerError: 'NovaServerError',
  AuthenticationFailed: 'AuthenticationFailed',
  CloudConfigInvalid: 'CloudConfigInvalid',
  NovaCallFailed: 'NovaCallFailed',
  // Healthy: the host's state
  HostHealthy: 'HostHealthy',
  HostSuspect: 'HostSuspect',
  HostDown: 'HostDown',
  HostRecovering: 'HostRecovering',
  InMaintenance: 'InMaintenance',
  NoReports: 'NoReports',
  // Remediated
  NoFault: 'NoFault',
  RemediationPending: 'RemediationPending',
  RemediationInProgress: 'RemediationInProgress',
  RemediationFailed: 'RemediationFailed',
  RemediationComplete: 'RemediationComplete',
  // InterfacesPresent
  InterfaceMissing: 'InterfaceMissing',
  AllPresent: 'AllPresent',
} as const;

// Planned maintenance (HostHealth).
export const MaintenanceConditionType = {
  /** HostHealth: maintenance moved every server off the host (or none was there): it may be taken down. */
  ReadyForMaintenance: 'ReadyForMaintenance',
} as const;

export const MaintenanceConditionReason = {
  /** No server is left on the host. */
  HostEmpty: 'HostEmpty',
  /** Servers are still being asked about or moved. */
  InProgress: 'InProgress',
  /** Some server stays: a consumer refused (NACK), a migration failed, or the mode is none. */
  ServersRemain: 'ServersRemain',
  /** Maintenance is over. */
  MaintenanceEnded: 'MaintenanceEnded',
} as const;

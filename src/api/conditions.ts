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

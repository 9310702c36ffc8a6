// Stable reasons of the Kubernetes Events planned maintenance records on the HostHealth: alerting rules
// and `kubectl get events --field-selector reason=` rely on them, so they never change.
export const maintenanceEventReasons = {
  started: 'MaintenanceStarted',
  serviceDisabled: 'NovaServiceDisabled',
  consumersTold: 'MaintenanceScheduled',
  answered: 'MaintenanceAnswered',
  serverMigrated: 'ServerMigrated',
  migrationFailed: 'MigrationFailed',
  serverRefused: 'MigrationRefused',
  hostEmpty: 'HostReadyForMaintenance',
  serversRemain: 'ServersRemainOnHost',
  serviceEnabled: 'NovaServiceEnabled',
  completed: 'MaintenanceComplete',
  stepFailed: 'MaintenanceStepFailed',
  faultDuringMaintenance: 'FaultDuringMaintenance',
} as const;

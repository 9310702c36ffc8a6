// Stable Event reasons of remediation: alerting rules and `kubectl get events --field-selector reason=`
// rely on them, so they never change.
export const reasons = {
  hostDown: 'HostDown',
  novaServiceForcedDown: 'NovaServiceForcedDown',
  serversResetToError: 'ServersResetToError',
  nodeTainted: 'NodeTainted',
  consumersNotified: 'ConsumersNotified',
  notificationsAbandoned: 'NotificationsAbandoned',
  remediationFailed: 'RemediationFailed',
  hostRecovered: 'HostRecovered',
  novaServiceUnforced: 'NovaServiceUnforced',
  nodeUntainted: 'NodeUntainted',
} as const;

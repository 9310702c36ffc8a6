// Stable reasons of the Kubernetes Events the operator records: alerting rules and
// `kubectl get events --field-selector reason=` rely on them, so they never change.
export const eventReasons = {
  /** The inspector declared a host Down (on the HostHealth and the Node; also when the policy is paused). */
  hostDown: 'HostDown',
  /** The inspector declared a Down host healthy again (on the HostHealth and the Node). */
  hostRecovered: 'HostRecovered',
  /** More hosts qualify as Down than protection.maxUnhealthy allows: none is acted on (on the FaultPolicy). */
  stormActive: 'StormActive',
  novaServiceForcedDown: 'NovaServiceForcedDown',
  serversResetToError: 'ServersResetToError',
  nodeTainted: 'NodeTainted',
  consumersNotified: 'ConsumersNotified',
  notificationsAbandoned: 'NotificationsAbandoned',
  remediationFailed: 'RemediationFailed',
  novaServiceUnforced: 'NovaServiceUnforced',
  nodeUntainted: 'NodeUntainted',
} as const;

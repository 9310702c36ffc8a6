// The OpenStack client's public surface, for the remediation layer and the operator.
export { parseCloudsYaml, type CloudConfig, type EndpointInterface } from './clouds.js';
export { OpenStackConfigError, OpenStackHttpError, isRetryableError } from './errors.js';
export { createOpenStackClients, type OpenStackClientOptions, type OpenStackClients } from './factory.js';
export { HttpTransportError } from '../util/http-client.js';
export { KeystoneSession, type CallObserver, type CallRecord } from './keystone.js';
export {
  defaultResetConcurrency,
  type ComputeService,
  type ForceDownResult,
  type KnownService,
  type MigrationRecord,
  type NovaApi,
  type NovaMaintenanceApi,
  type ServerSummary,
} from './nova-api.js';
export { NovaClient, NovaServiceNotFoundError, type NovaClientOptions } from './nova.js';
export { defaultRetryPolicy, type RetryPolicy } from './retry.js';
export { osEnvCloudName, osEnvToCloudsYaml, parseOsEnv } from './os-env.js';
export { ConnectionKeeper, keepAliveTimeoutMs } from './connection-keeper.js';

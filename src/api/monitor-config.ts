// The monitor configuration file: the operator writes it into each policy's ConfigMap and every monitor
// reads it. One definition for both sides.

export interface MonitorHost {
  /** Node name; a monitor finds its own entry by NODE_NAME. */
  name: string;
  /** The address peers probe (the node's InternalIP or ExternalIP, as the policy says). */
  address: string;
}

export interface MonitorConfigFile {
  policy: string;
  inspectorUrl: string;
  intervalMilliseconds: number;
  timeoutMilliseconds: number;
  failureThreshold: number;
  successThreshold: number;
  peers: number;
  interfaces: string[];
  heartbeatSeconds: number;
  hosts: MonitorHost[];
  /** Per-request timeout of a report POST (monitor default 1000). */
  deliveryTimeoutMilliseconds?: number;
  /** Upper bound of the retry backoff while the inspector is unreachable (monitor default 2000). */
  maxBackoffMilliseconds?: number;
}

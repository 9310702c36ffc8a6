// Bounds on what a reporter may cost the inspector. Defaults leave room for what a monitor sends: its
// outbox posts at most 100 events per request, about 300 bytes each, a few requests per second at most.

export interface InspectorLimits {
  /** Request body bytes; larger is refused with 413 before it is read. */
  maxBodyBytes: number;
  /** Events per request; more is refused whole with 413. */
  maxEvents: number;
  /** How far an event time may be ahead of the inspector's clock. */
  maxFutureSkewMs: number;
  /** Requests per second per reporter (its observer, or client address without authentication). */
  requestsPerSecond: number;
  requestBurst: number;
  /** Requests being handled at once; more answer 503 at once. */
  maxConcurrentRequests: number;
  /** Open connections to the inspector port. */
  maxConnections: number;
  /** A request's headers and body must arrive within this. */
  requestTimeoutMs: number;
}

export const inspectorLimitDefaults: InspectorLimits = {
  maxBodyBytes: 256 * 1024,
  maxEvents: 500,
  maxFutureSkewMs: 5 * 60_000,
  requestsPerSecond: 50,
  requestBurst: 100,
  maxConcurrentRequests: 64,
  maxConnections: 1024,
  requestTimeoutMs: 10_000,
};

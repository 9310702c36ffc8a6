// The FaultPolicy's default probe timing, in a file of its own: the monitor fills in the same defaults
// and must not load the whole FaultPolicy schema (some MB of objects it never uses) to read three numbers.

/**
 * Default probe timing. A peer is reported down after failureThreshold misses, the last one timing out
 * (phase + (failureThreshold - 1) x interval + timeout after the fault), and the inspector needs two
 * observers: at these values link down -> decision stays under 100 ms (p99) while one monitor probing
 * 8 peers stays within 2 % of a core (bench/monitor).
 */
export const monitorProbeDefaults = {
  intervalMilliseconds: 30,
  timeoutMilliseconds: 15,
  failureThreshold: 2,
} as const;

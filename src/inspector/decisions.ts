// What the engine decides, as plain data. The operator executes these (remediation, status, Events,
// logs); the engine never does I/O. Times are RFC 3339 UTC with milliseconds.
import type { FaultRecord, HostState, ObserverStatus } from '../api/types.js';

export type FaultCause = 'quorum' | 'nic';

/** Why and when a fault was declared: what a hostDown decision says and an open fault keeps. */
export interface FaultDeclaration {
  cause: FaultCause;
  /** Observers (or for a NIC fault the reporting monitor) whose reports made the decision. */
  evidence: string[];
  reason: string;
  /** T01: the first detection among the evidence, on the reporter's clock. */
  detectedAt: string;
  /** T02: when the first of those reports reached the inspector. */
  firstReportReceivedAt: string;
  /** T03: when the host was declared Down. */
  declaredAt: string;
}

export interface HostDownDecision extends FaultDeclaration {
  kind: 'hostDown';
  host: string;
  faultId: string;
  /** True when a Recovering host fell back to Down: the same fault, its remediation still in place. */
  reopened: boolean;
  at: string;
}

export interface HostRecoveringDecision {
  kind: 'hostRecovering';
  host: string;
  faultId: string;
  /** Observers reporting the host up. */
  evidence: string[];
  at: string;
}

export interface HostHealthyDecision {
  kind: 'hostHealthy';
  host: string;
  /** The fault this closes: undo its remediation (un-force, untaint, notify "up"). */
  faultId: string;
  at: string;
}

export interface StormActiveDecision {
  kind: 'stormActive';
  /** Hosts that qualify as Down but are held back. */
  hosts: string[];
  /** Hosts with an open fault already. */
  unhealthy: number;
  limit: number;
  at: string;
}

export interface StormClearedDecision {
  kind: 'stormCleared';
  at: string;
}

export interface StateChangedDecision {
  kind: 'stateChanged';
  host: string;
  from: HostState;
  to: HostState;
  at: string;
}

export type Decision =
  | HostDownDecision
  | HostRecoveringDecision
  | HostHealthyDecision
  | StormActiveDecision
  | StormClearedDecision
  | StateChangedDecision;

export interface ObserverSnapshot extends ObserverStatus {
  verdict: 'down' | 'up' | 'unknown';
  /** False while the observer is isolated, has an open fault or is in maintenance: not evidence then. */
  evidence: boolean;
}

export interface OpenFaultSnapshot extends FaultDeclaration {
  id: string;
  recoveringSince?: string;
}

/** Everything the HostHealth status needs about one host. */
export interface HostSnapshot {
  host: string;
  state: HostState;
  maintenance: boolean;
  /** The host's own monitor says it lost its connectivity; its reports about peers are ignored. */
  isolated: boolean;
  /** It qualifies as Down but the storm guard holds it back. */
  stormHeld: boolean;
  effectiveQuorum: number;
  observers: ObserverSnapshot[];
  /** Interfaces whose link is down. */
  nicDown: string[];
  fault?: OpenFaultSnapshot;
  /** The open fault (if any) last, after up to 10 closed ones. */
  faults: FaultRecord[];
}

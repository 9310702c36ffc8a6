// TypeScript shapes of the doctor.io/v1alpha1 resources. The OpenAPI schemas in
// this folder are the source of the CRD YAML; these interfaces describe the same objects for the code.
// Field names are part of the API: tools and docs rely on them.

import type { HostMaintenanceSpec, MaintenancePolicy, MaintenanceStatus } from './maintenance-types.js';

export const group = 'doctor.io';
export const apiVersion = 'v1alpha1';
export const groupVersion = `${group}/${apiVersion}`;
/** Group and version as the custom-objects API of the Kubernetes client takes them. */
export const crdApi = { group, version: apiVersion } as const;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: string;
  creationTimestamp?: string;
  ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface SecretKeyRef {
  name: string;
  key: string;
}

export interface MonitorSpec {
  intervalMilliseconds: number;
  timeoutMilliseconds: number;
  failureThreshold: number;
  successThreshold: number;
  peers: number;
  addressType: 'InternalIP' | 'ExternalIP';
  interfaces: string[];
}

export interface DetectionSpec {
  quorum: number;
  windowMilliseconds: number;
  healthySeconds: number;
}

export interface ProtectionSpec {
  /** An absolute number of hosts or a percentage such as "20%". */
  maxUnhealthy: number | string;
}

export interface NovaActions {
  cloudSecretRef?: SecretKeyRef;
  /** A Secret of OS_* keys (openstack-helm's credentials Secret), instead of cloudSecretRef. */
  credentialsSecretRef?: { name: string };
  cloud: string;
  forceDown: boolean;
  resetServers: boolean;
  disabledReason: string;
  unforceOnRecovery: boolean;
}

export interface NodeActions {
  taint: boolean;
}

export type NotifyFormat = 'aodh' | 'cloudevents';

/** CA certificates (PEM) an https consumer's certificate must chain to: inline, a Secret or a ConfigMap. */
export interface CaBundle {
  pem?: string;
  secretRef?: SecretKeyRef;
  configMapRef?: { name: string; key: string };
}

export interface NotifyTarget {
  name: string;
  url: string;
  format: NotifyFormat;
  secretRef?: SecretKeyRef;
  caBundle?: CaBundle;
  timeoutMilliseconds: number;
  projects: string[];
}

export interface ActionsSpec {
  nova?: NovaActions;
  node: NodeActions;
  notify: NotifyTarget[];
}

export interface FaultPolicySpec {
  nodeSelector: LabelSelector;
  novaHostLabel: string;
  monitor: MonitorSpec;
  detection: DetectionSpec;
  protection: ProtectionSpec;
  actions: ActionsSpec;
  /** Absent in objects written before planned maintenance existed: read it with its defaults. */
  maintenance?: MaintenancePolicy;
  paused: boolean;
}

export interface FaultPolicyStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  monitoredHosts?: number;
  unhealthyHosts?: number;
  daemonSet?: string;
  /** Hosts the storm guard holds back, while StormActive is True (written by the inspector). */
  stormHeldHosts?: string[];
}

export interface FaultPolicy {
  apiVersion: typeof groupVersion;
  kind: 'FaultPolicy';
  metadata: ObjectMeta;
  spec: FaultPolicySpec;
  status?: FaultPolicyStatus;
}

export const hostStates = ['Healthy', 'Suspect', 'Down', 'Recovering', 'Maintenance', 'Unknown'] as const;
export type HostState = (typeof hostStates)[number];

export interface ObserverStatus {
  node: string;
  reachable: boolean;
  lastReportTime: string;
  rttMilliseconds?: number;
}

export interface FaultRecord {
  id: string;
  type: string;
  detectedTime: string;
  reason: string;
  resolvedTime?: string;
}

/** Profiler points of one fault (T00-T08, see docs/architecture.md), as RFC 3339 times with milliseconds. */
export interface FaultTimeline {
  /** The fault these times belong to. */
  faultId?: string;
  T00?: string;
  T01?: string;
  T02?: string;
  T03?: string;
  T04?: string;
  T05?: string;
  T06?: string;
  T07?: string;
  T08?: string;
}

export interface ServersStatus {
  found: number;
  markedError: number;
}

export interface NotificationStatus {
  consumer: string;
  /** Stable id, so consumers can drop duplicates. */
  id: string;
  kind?: 'host.down' | 'host.up';
  server?: string;
  project?: string;
  abandoned?: boolean;
  delivered: boolean;
  attempts: number;
  lastError?: string;
  deliveredTime?: string;
}

/** Counts of one consumer's notifications, or of all of them. */
export interface NotificationCounts {
  delivered: number;
  pending: number;
  abandoned: number;
}

/** What the notifications of the current fault came to, so people need not read the whole list. */
export interface NotificationSummary extends NotificationCounts {
  total: number;
  /** How many entries `webhooks` lists (all of them unless there are more than it may hold). */
  listed: number;
  consumers: (NotificationCounts & { consumer: string })[];
}

export interface RemediationStep {
  state?: 'Running' | 'Done' | 'Failed' | 'Skipped';
  attempts?: number;
  message?: string;
  time?: string;
}

/** Progress of the actions for one fault, so a restarted operator resumes without repeating steps. */
export interface RemediationStatus {
  faultId?: string;
  forceDown?: RemediationStep;
  resetServers?: RemediationStep;
  taint?: RemediationStep;
  notify?: RemediationStep;
  unforce?: RemediationStep;
  untaint?: RemediationStep;
  notifyUp?: RemediationStep;
}

export interface HostHealthSpec {
  policy: string;
  maintenance: HostMaintenanceSpec;
}

export interface HostHealthStatus {
  observedGeneration?: number;
  state?: HostState;
  /** When state last changed. */
  lastTransitionTime?: string;
  /** Why the host is in its state, for people. */
  message?: string;
  /** Unresolved faults (the Faults column). */
  activeFaults?: number;
  novaHost?: string;
  novaServiceId?: string;
  observers?: ObserverStatus[];
  faults?: FaultRecord[];
  timeline?: FaultTimeline;
  servers?: ServersStatus;
  notificationSummary?: NotificationSummary;
  /** One entry per consumer and notification (named so `kubectl describe` lists it last). */
  webhooks?: NotificationStatus[];
  remediation?: RemediationStatus;
  maintenance?: MaintenanceStatus;
  conditions?: Condition[];
}

export interface HostHealth {
  apiVersion: typeof groupVersion;
  kind: 'HostHealth';
  metadata: ObjectMeta;
  spec: HostHealthSpec;
  status?: HostHealthStatus;
}

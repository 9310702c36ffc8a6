// OpenAPI schema of HostHealth: one per monitored node, named after it. The spec is
// the admin's (planned maintenance) and the operator's (owning policy); the status is the durable record
// of the host's state and of every step taken for its current fault, so a restarted operator resumes.
import { conditions, dnsSubdomainPattern, observedGeneration } from './common.js';
import { maxPolicyNameLength } from './faultpolicy.js';
import { arr, bool, defaultedObj, int, num, obj, str, time, type JSONSchemaProps } from './openapi.js';
import { hostStates } from '../types.js';
import { hostMaintenanceFields, maintenanceStatus } from './maintenance.js';

const maintenance = defaultedObj(
  'Planned maintenance, set by an administrator (or started by cordoning the Node, see the policy): while on, the host is in the Maintenance state, no fault actions run for it, and its servers are moved away after telling their consumers.',
  {
    enabled: bool('Whether the host is under planned maintenance.', { default: false }),
    reason: str('Why, for people reading the object (a ticket number, a name).', { maxLength: 1024 }),
    ...hostMaintenanceFields,
  },
);

export const hostHealthSpec = obj(
  "The owning policy and the administrator's maintenance switch.",
  {
    policy: str('Name of the FaultPolicy that selects this node. Set by the operator.', {
      minLength: 1,
      maxLength: maxPolicyNameLength,
      pattern: dnsSubdomainPattern,
    }),
    maintenance,
  },
  { required: ['policy'] },
);

const observer = obj('One monitor that watches this host, and its latest verdict.', {
  node: str('The node whose monitor observes this host.'),
  reachable: bool('Whether that monitor last reported the host up.'),
  lastReportTime: time(
    'When that monitor last reported about this host. Refreshed when the observer list changes ' +
      '(an observer, its reachability, verdict or evidence) and otherwise at most every 5 minutes.',
  ),
  rttMilliseconds: num('Round-trip time of its last probe reply, in milliseconds.', { minimum: 0 }),
});

const fault = obj('One fault of this host: what was detected, when, and whether it is over.', {
  id: str('Stable identifier of the fault, also used in notifications and the timeline.'),
  type: str('What failed, as a monitor event type such as compute.host.down or compute.host.nic.down.'),
  detectedTime: time('When the fault was declared (quorum met).'),
  reason: str('Why it was declared, for people: the observers and probes that agreed.'),
  resolvedTime: time('When the fault ended; absent while it is active.'),
});

const timelinePoints: Record<string, string> = {
  T00: 'T00: fault injected (test harness only).',
  T01: 'T01: first monitor detection.',
  T02: 'T02: first report received by the inspector.',
  T03: 'T03: host declared down (quorum met).',
  T04: 'T04: Nova compute service forced down.',
  T05: 'T05: all servers on the host reset to error.',
  T06: 'T06: first consumer notified.',
  T07: 'T07: all consumers notified.',
  T08: 'T08: HostHealth status written.',
};

const timeline = obj(
  'Profiler points of the current (or last) fault, as in OPNFV Doctor, each an RFC 3339 time with milliseconds.',
  {
    faultId: str('The id of the fault (in faults) these points belong to.'),
    ...Object.fromEntries(Object.entries(timelinePoints).map(([point, text]) => [point, time(text)])),
  },
);

const servers = obj('Servers Nova reported on this host for the current fault.', {
  found: int('Servers found on the host.', { minimum: 0 }),
  markedError: int('Servers reset to the error state so far.', { minimum: 0 }),
});

const notification = obj('Delivery of one notification to one consumer.', {
  consumer: str('Name of the notify target (FaultPolicy spec.actions.notify[].name).'),
  id: str('Stable id of the notification, so consumers can drop duplicates.'),
  kind: str('What it announces: host.down (the fault) or host.up (the recovery).', {
    enum: ['host.down', 'host.up'],
  }),
  server: str('The server it is about; absent for a notification about the whole host.'),
  project: str('The Nova project (tenant) owning that server.'),
  delivered: bool('Whether the consumer accepted it (2xx).'),
  attempts: int('Delivery attempts so far.', { minimum: 0 }),
  lastError: str('The error of the last failed attempt.', { maxLength: 1024 }),
  deliveredTime: time('When it was delivered.'),
  abandoned: bool('True when delivery was given up (too old, or the host recovered first).'),
});

/** Entries `webhooks` may hold: a host of 200 servers with 5 consumers. Undelivered ones come first. */
export const maxListedNotifications = 1000;
/** Observers listed per host (the inspector keeps at most 256 per host). */
export const maxListedObservers = 256;
/** Faults listed per host (the inspector keeps the last 10 closed ones and the open one). */
export const maxListedFaults = 16;

const counts = {
  delivered: int('Notifications the consumer accepted.', { minimum: 0 }),
  pending: int('Notifications not delivered yet (being retried).', { minimum: 0 }),
  abandoned: int('Notifications given up.', { minimum: 0 }),
};

const notificationSummary = obj(
  'What the notifications of the current fault came to, per consumer and in all.',
  {
    total: int('Notifications of the current fault.', { minimum: 0 }),
    ...counts,
    listed: int('Entries in webhooks: all of them unless there are more than it may hold.', { minimum: 0 }),
    consumers: arr(
      'Counts per consumer.',
      obj('The notifications of one consumer.', { consumer: str('Name of the notify target.'), ...counts }),
      { maxItems: 32, 'x-kubernetes-list-type': 'atomic' },
    ),
  },
);

const step = (what: string): JSONSchemaProps =>
  obj(`Outcome of the step that ${what}.`, {
    state: str(
      'Running (in progress or waiting to retry), Done, Failed (given up; a restarted operator tries again) or Skipped (the policy does not ask for it).',
      { enum: ['Running', 'Done', 'Failed', 'Skipped'] },
    ),
    attempts: int('Attempts so far.', { minimum: 0 }),
    message: str('What happened last, for people: the result or the error.', { maxLength: 1024 }),
    time: time('When the state or message last changed.'),
  });

const remediation = obj(
  'Progress of the actions for the fault named here: what a restarted operator reads to resume without repeating finished steps.',
  {
    faultId: str('The fault these steps belong to.'),
    forceDown: step("forces the host's nova-compute service down"),
    resetServers: step('resets the servers on the host to error'),
    taint: step('taints the Node'),
    notify: step('tells the consumers that the host is down'),
    unforce: step('clears forced_down on recovery'),
    untaint: step("removes the Node's taint on recovery"),
    notifyUp: step('tells the consumers that the host is up again'),
  },
);

export const hostHealthStatus = obj(
  "The host's state as the operator sees it. Written by the operator only.",
  {
    observedGeneration: observedGeneration(),
    state: str(
      'Healthy, Suspect (some observers report it down, no quorum yet), Down (declared down, actions run), Recovering (reachable again, waiting healthySeconds), Maintenance (spec.maintenance.enabled) or Unknown (no reports yet).',
      { enum: [...hostStates] },
    ),
    lastTransitionTime: time('When state last changed.'),
    message: str('Why the host is in its state, in one sentence for people.', { maxLength: 1024 }),
    novaHost: str("The Nova host name of this node (from the policy's novaHostLabel, else the node name)."),
    novaServiceId: str('ID of the nova-compute service on this host, once looked up.'),
    activeFaults: int('Faults that are not resolved yet (entries of faults without resolvedTime).', {
      minimum: 0,
    }),
    observers: arr('The monitors that watch this host.', observer, {
      maxItems: maxListedObservers,
      'x-kubernetes-list-type': 'atomic',
    }),
    faults: arr('Recent faults of this host, oldest first.', fault, {
      maxItems: maxListedFaults,
      'x-kubernetes-list-type': 'atomic',
    }),
    timeline,
    servers,
    notificationSummary,
    webhooks: arr(
      `Notifications sent for the current fault, one per consumer and notification id, undelivered ones first; at most ${maxListedNotifications} (notificationSummary counts all).`,
      notification,
      { maxItems: maxListedNotifications, 'x-kubernetes-list-type': 'atomic' },
    ),
    remediation,
    maintenance: maintenanceStatus,
    conditions: conditions(
      'Healthy (the state is Healthy), Remediated (every host-down action of the current or last fault is finished) InterfacesPresent and ReadyForMaintenance (planned maintenance moved every server off), one per type.',
    ),
  },
);

/** The whole HostHealth object schema (the CRD's openAPIV3Schema). */
export const hostHealthSchema: JSONSchemaProps = obj(
  'HostHealth is the health record of one monitored node, named after it: its fault state, the observers watching it, the Nova host and servers affected, notifications sent and the timeline of the current fault. Created and updated by doctor-operator; administrators set spec.maintenance.',
  {
    apiVersion: str(
      'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.',
    ),
    kind: str(
      'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. In CamelCase.',
    ),
    metadata: { type: 'object' },
    spec: hostHealthSpec,
    status: hostHealthStatus,
  },
  { required: ['spec'] },
);

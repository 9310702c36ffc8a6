// OpenAPI schema of FaultPolicy: what to watch, when a host counts as down, and
// what to do about it. Ranges, enums and CEL rules here are the policy's whole validation: the API
// server refuses a bad policy with a message naming the field, so no admission webhook is needed.
import { monitorProbeDefaults } from '../probe-defaults.js';
import { maintenancePolicy } from './maintenance.js';
import {
  conditions,
  dnsLabelPattern,
  dnsSubdomainPattern,
  labelKeyMaxLength,
  labelKeyPattern,
  labelSelector,
  observedGeneration,
  secretKeyPattern,
  secretKeyRef,
} from './common.js';
import { arr, bool, defaultedObj, int, obj, str, type JSONSchemaProps } from './openapi.js';

/** Longest FaultPolicy name: the operator uses it as a label value on the objects it owns. */
export const maxPolicyNameLength = 63;

/** Held hosts kept in FaultPolicy status: enough to know a storm after a restart, bounded in size. */
export const maxStormHeldHosts = 1000;

export { monitorProbeDefaults };

const monitor = defaultedObj(
  'How the monitor agents probe: each selected node runs one agent that pings some of its peers.',
  {
    intervalMilliseconds: int('Time between two probes of the same peer, in milliseconds.', {
      default: monitorProbeDefaults.intervalMilliseconds,
      minimum: 10,
      maximum: 60000,
    }),
    timeoutMilliseconds: int(
      'How long a probe waits for a reply before it counts as a miss, in milliseconds. At most intervalMilliseconds.',
      { default: monitorProbeDefaults.timeoutMilliseconds, minimum: 1, maximum: 60000 },
    ),
    failureThreshold: int('Consecutive misses before a monitor reports a peer down.', {
      default: monitorProbeDefaults.failureThreshold,
      minimum: 1,
      maximum: 100,
    }),
    successThreshold: int('Consecutive replies before a monitor reports a down peer up again.', {
      default: 2,
      minimum: 1,
      maximum: 100,
    }),
    peers: int('How many monitors observe each host (observers per host).', {
      default: 3,
      minimum: 1,
      maximum: 32,
    }),
    addressType: str('Which address of the Node the monitors probe.', {
      default: 'InternalIP',
      enum: ['InternalIP', 'ExternalIP'],
    }),
    interfaces: arr(
      'Network interfaces (such as bond0 or eth1) whose link state each monitor watches on its own node; a link going down is reported as a NIC fault.',
      str('A Linux interface name: 1 to 15 characters, no whitespace, no "/" or ":".', {
        minLength: 1,
        maxLength: 15,
        pattern: '^[A-Za-z0-9_@-][A-Za-z0-9_.@-]*$',
      }),
      { default: [], maxItems: 16, 'x-kubernetes-list-type': 'set' },
    ),
  },
  {
    'x-kubernetes-validations': [
      {
        // A probe that may outlive its interval overlaps the next one, so "failureThreshold consecutive
        // misses" would no longer mean failureThreshold intervals and detection time would be unbounded.
        rule: 'self.timeoutMilliseconds <= self.intervalMilliseconds',
        message:
          'timeoutMilliseconds must not exceed intervalMilliseconds: each probe has to finish before the next one starts',
        fieldPath: '.timeoutMilliseconds',
      },
    ],
  },
);

const detection = defaultedObj(
  'How the inspector correlates monitor reports before it declares a host down or healthy.',
  {
    quorum: int(
      'Distinct observers that must report a host down before it is declared down; at most monitor.peers. Guards against one faulty observer.',
      { default: 2, minimum: 1, maximum: 32 },
    ),
    windowMilliseconds: int(
      'Reports of different observers count toward the quorum when they arrive within this many milliseconds.',
      { default: 1000, minimum: 10, maximum: 600000 },
    ),
    healthySeconds: int(
      'How long a host that was down must stay healthy before recovery actions (such as un-forcing the Nova service) run.',
      { default: 30, minimum: 0, maximum: 86400 },
    ),
  },
);

const protection = defaultedObj(
  'Storm protection: when too many hosts look down at once, the cause is more likely the network or the monitors than the hosts.',
  {
    maxUnhealthy: {
      description:
        'Most hosts that may be unhealthy at once, as a number of hosts or a percentage of the monitored hosts ("20%", rounded up). Beyond it the operator acts on nothing, sets the StormActive condition and emits an Event. Default: "20%".',
      'x-kubernetes-int-or-string': true,
      // Bounds the CEL cost estimate of the rule below; "100%" is the longest valid string.
      maxLength: 8,
      default: '20%',
      'x-kubernetes-validations': [
        {
          rule: "type(self) == int ? self >= 0 : (type(self) == string && self.matches('^(100|[1-9]?[0-9])%$'))",
          message:
            'maxUnhealthy must be a number of hosts (0 or more) or a whole percentage from "0%" to "100%"',
        },
      ],
    },
  },
);

const nova = obj(
  'Nova actions (OPNFV Doctor controller): mark the compute service and its servers so the cloud reflects the fault. Setting this section needs cloudSecretRef.',
  {
    cloudSecretRef: secretKeyRef(
      'The Secret key holding a clouds.yaml with credentials for Keystone v3 and Nova.',
      'clouds.yaml',
    ),
    credentialsSecretRef: obj(
      "A Secret holding the credentials as OS_* keys (OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME, OS_USER_DOMAIN_NAME, OS_PROJECT_DOMAIN_NAME, OS_REGION_NAME, OS_INTERFACE, OS_CACERT, ...), as openstack-helm creates them (e.g. keystone-keystone-admin). Use instead of cloudSecretRef. The Secret lives in the operator's namespace.",
      { name: str('Name of the Secret.', { minLength: 1, maxLength: 253, pattern: dnsSubdomainPattern }) },
      { required: ['name'] },
    ),
    cloud: str('Which entry under clouds: in the clouds.yaml to use.', {
      default: 'openstack',
      minLength: 1,
      maxLength: 255,
    }),
    forceDown: bool(
      "Force the host's nova-compute service down (and disable it) when the host is declared down, so Nova stops scheduling to it at once.",
      { default: true },
    ),
    resetServers: bool(
      'Reset every server on the host to the error state, so their owners see the fault in Nova.',
      {
        default: true,
      },
    ),
    disabledReason: str('The disabled_reason written on the forced-down compute service.', {
      default: 'doctor: host down',
      minLength: 1,
      maxLength: 255,
    }),
    unforceOnRecovery: bool(
      'Clear forced_down and enable the compute service again once the host has been healthy for detection.healthySeconds.',
      { default: true },
    ),
  },
  {
    'x-kubernetes-validations': [
      {
        // Even with both actions off Nova is still asked which servers a host runs, for notifications.
        rule: 'has(self.cloudSecretRef) != has(self.credentialsSecretRef)',
        message:
          'actions.nova needs exactly one of cloudSecretRef (a clouds.yaml Secret) and credentialsSecretRef (a Secret of OS_* keys): the operator needs credentials to call Nova',
        fieldPath: '.cloudSecretRef',
        reason: 'FieldValueRequired',
      },
    ],
  },
);

const notifyTarget = obj(
  'A consumer (such as a VNF manager) that receives a webhook for each affected server when a host goes down.',
  {
    name: str('Unique name of the consumer; appears in HostHealth status and metrics.', {
      minLength: 1,
      maxLength: 63,
      pattern: dnsLabelPattern,
    }),
    url: str('Where to POST notifications: an absolute http:// or https:// URL.', {
      minLength: 1,
      maxLength: 2048,
      'x-kubernetes-validations': [
        {
          rule: "isURL(self) && url(self).getScheme() in ['http', 'https'] && url(self).getHostname() != ''",
          message:
            'url must be an absolute http:// or https:// URL with a host, such as http://vnfm.example:12346/failure',
        },
      ],
    }),
    format: str(
      'Body format: aodh is what OPNFV Doctor consumers parse (an Aodh event alarm); cloudevents is CloudEvents 1.0 structured JSON.',
      { default: 'aodh', enum: ['aodh', 'cloudevents'] },
    ),
    secretRef: secretKeyRef(
      'Optional HMAC key: when set, each body is signed with HMAC-SHA256 and the signature sent in a header.',
    ),
    caBundle: obj(
      'CA certificates (PEM) to trust for an https url instead of the system roots, e.g. a private CA of the VNF manager. Give exactly one of pem, secretRef and configMapRef.',
      {
        pem: str('The PEM text of one or more CA certificates (larger bundles go in a Secret).', {
          minLength: 1,
          maxLength: 16384,
        }),
        secretRef: secretKeyRef('The Secret key holding the PEM CA certificates.'),
        configMapRef: obj(
          "The ConfigMap key holding the PEM CA certificates (such as a cluster's trust bundle). The ConfigMap lives in the operator's namespace.",
          {
            name: str('Name of the ConfigMap.', {
              minLength: 1,
              maxLength: 253,
              pattern: dnsSubdomainPattern,
            }),
            key: str('The key inside the ConfigMap.', {
              minLength: 1,
              maxLength: 253,
              pattern: secretKeyPattern,
            }),
          },
          { required: ['name', 'key'] },
        ),
      },
      {
        'x-kubernetes-validations': [
          {
            rule: '(has(self.pem) ? 1 : 0) + (has(self.secretRef) ? 1 : 0) + (has(self.configMapRef) ? 1 : 0) == 1',
            message: 'caBundle needs exactly one of pem, secretRef and configMapRef',
          },
        ],
      },
    ),
    timeoutMilliseconds: int('How long one delivery attempt may take, in milliseconds.', {
      default: 1000,
      minimum: 1,
      maximum: 60000,
    }),
    projects: arr(
      'Only notify about servers of these Nova projects (project IDs); empty means all projects.',
      str('A Nova project ID.', { minLength: 1, maxLength: 255 }),
      { default: [], maxItems: 256, 'x-kubernetes-list-type': 'set' },
    ),
  },
  { required: ['name', 'url'] },
);

const actions = defaultedObj(
  'What the operator does about a host declared down, and undoes when it recovers.',
  {
    nova,
    node: defaultedObj('Kubernetes actions on the Node.', {
      taint: bool(
        'Taint the Node while its host is down, so Kubernetes stops placing pods there; the taint is removed on recovery.',
        { default: true },
      ),
    }),
    notify: arr('Consumers to notify, keyed by name.', notifyTarget, {
      default: [],
      maxItems: 32,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    }),
  },
);

export const faultPolicySpec = obj(
  'Which nodes to watch as OpenStack compute hosts, how to detect their failure, and what to do about it.',
  {
    nodeSelector: labelSelector(
      'Selects the Kubernetes Nodes that are compute hosts. Must name at least one label, such as openstack-compute-node: enabled.',
    ),
    novaHostLabel: str(
      'A Node label whose value is the Nova host name of the node; empty means the Nova host name is the node name.',
      {
        default: '',
        maxLength: labelKeyMaxLength,
        'x-kubernetes-validations': [
          {
            rule: `self == '' || self.matches('${labelKeyPattern}')`,
            message:
              "novaHostLabel must be empty or a label key: an optional DNS subdomain prefix and '/', then up to 63 letters, digits, '-', '_' or '.'",
          },
        ],
      },
    ),
    monitor,
    detection,
    protection,
    actions,
    maintenance: maintenancePolicy,
    paused: bool(
      'Stop acting: monitors keep reporting and HostHealth keeps being updated, but no remediation or notification runs.',
      { default: false },
    ),
  },
  {
    required: ['nodeSelector'],
    'x-kubernetes-validations': [
      {
        rule: 'self.detection.quorum <= self.monitor.peers',
        message:
          'detection.quorum must not exceed monitor.peers: each host has only monitor.peers observers, so a larger quorum could never be met',
        fieldPath: '.detection.quorum',
      },
    ],
  },
);

export const faultPolicyStatus = obj(
  'What the operator observed and did for this policy. Written by the operator only.',
  {
    observedGeneration: observedGeneration(),
    conditions: conditions(
      'Ready (the operator has created every object of the policy as desired), MonitorsAvailable (a monitor runs on every selected node), NodeConflict, StormActive (maxUnhealthy exceeded, actions held back) and NovaReachable (the Nova of spec.actions.nova answered the last warm-up or call).',
    ),
    monitoredHosts: int('Nodes the policy selects, each with a HostHealth.', { minimum: 0 }),
    unhealthyHosts: int('Monitored hosts currently unhealthy (Suspect, Down or Recovering).', { minimum: 0 }),
    daemonSet: str("Name of the monitor DaemonSet (in the operator's namespace)."),
    stormHeldHosts: arr(
      'While StormActive is True: the hosts the storm guard holds back (the first ones, if more), so an operator that restarts during a storm knows the storm and clears the condition when it ends.',
      str('A held host (Node name).', { maxLength: 253 }),
      { maxItems: maxStormHeldHosts, 'x-kubernetes-list-type': 'atomic' },
    ),
  },
);

/** The whole FaultPolicy object schema (the CRD's openAPIV3Schema). */
export const faultPolicySchema: JSONSchemaProps = obj(
  'FaultPolicy tells doctor-operator which Kubernetes Nodes are OpenStack compute hosts, how to detect that one failed, and what to do then: force its Nova service down, reset its servers to error, taint the Node and notify consumers (OPNFV Doctor).',
  {
    apiVersion: str(
      'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.',
    ),
    kind: str(
      'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. In CamelCase.',
    ),
    metadata: {
      type: 'object',
      properties: {
        name: { type: 'string', maxLength: maxPolicyNameLength },
      },
    },
    spec: faultPolicySpec,
    status: faultPolicyStatus,
  },
  { required: ['spec'] },
);

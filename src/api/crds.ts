// Builds the CustomResourceDefinitions of doctor.io from the schemas in ./schema, and renders them as the
// YAML files checked in under crds/ and helm/doctor-operator/crds/. Rendering is deterministic (sorted
// keys, no anchors), so a test can compare the checked-in files with a fresh render byte for byte.
import yaml from 'js-yaml';
import { group, apiVersion } from './types.js';
import { faultPolicySchema } from './schema/faultpolicy.js';
import { hostHealthSchema } from './schema/hosthealth.js';
import type { JSONSchemaProps } from './schema/openapi.js';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description: string;
  /** 0 shows in `kubectl get`; 1 only with `-o wide`. */
  priority?: number;
}

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    group: string;
    scope: 'Cluster';
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames: string[];
      categories: string[];
    };
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      schema: { openAPIV3Schema: JSONSchemaProps };
      subresources: { status: Record<string, never> };
      additionalPrinterColumns: PrinterColumn[];
      selectableFields?: { jsonPath: string }[];
    }[];
  };
}

interface ResourceDescription {
  kind: string;
  plural: string;
  shortName: string;
  schema: JSONSchemaProps;
  columns: PrinterColumn[];
  selectableFields?: string[];
}

const age: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description: 'Time since the object was created.',
};

function buildCrd(resource: ResourceDescription): CustomResourceDefinition {
  const version: CustomResourceDefinition['spec']['versions'][number] = {
    name: apiVersion,
    served: true,
    storage: true,
    schema: { openAPIV3Schema: resource.schema },
    subresources: { status: {} },
    additionalPrinterColumns: [...resource.columns, age],
  };
  if (resource.selectableFields !== undefined) {
    version.selectableFields = resource.selectableFields.map((jsonPath) => ({ jsonPath }));
  }
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${resource.plural}.${group}`,
      labels: { 'app.kubernetes.io/name': 'doctor-operator', 'app.kubernetes.io/part-of': 'doctor-operator' },
    },
    spec: {
      group,
      scope: 'Cluster',
      names: {
        kind: resource.kind,
        listKind: `${resource.kind}List`,
        plural: resource.plural,
        singular: resource.kind.toLowerCase(),
        shortNames: [resource.shortName],
        // `kubectl get doctor` lists policies and host records together.
        categories: ['doctor'],
      },
      versions: [version],
    },
  };
}

export const faultPolicyCrd = buildCrd({
  kind: 'FaultPolicy',
  plural: 'faultpolicies',
  shortName: 'fp',
  schema: faultPolicySchema,
  columns: [
    {
      name: 'Ready',
      type: 'string',
      jsonPath: '.status.conditions[?(@.type=="Ready")].status',
      description:
        'Whether the operator has created every object of the policy as desired (DaemonSet, ConfigMap, one HostHealth per selected node).',
    },
    {
      name: 'Monitors',
      type: 'string',
      jsonPath: '.status.conditions[?(@.type=="MonitorsAvailable")].status',
      description: 'Whether a monitor runs on every selected node (MonitorsAvailable).',
    },
    {
      name: 'Nova',
      type: 'string',
      jsonPath: '.status.conditions[?(@.type=="NovaReachable")].status',
      description: "Whether the policy's Nova answered its last warm-up or call (NovaReachable).",
      priority: 1,
    },
    { name: 'Hosts', type: 'integer', jsonPath: '.status.monitoredHosts', description: 'Monitored hosts.' },
    {
      name: 'Unhealthy',
      type: 'integer',
      jsonPath: '.status.unhealthyHosts',
      description: 'Hosts currently Suspect, Down or Recovering.',
    },
    {
      name: 'Paused',
      type: 'boolean',
      jsonPath: '.spec.paused',
      description: 'Whether actions are paused.',
      priority: 1,
    },
    {
      name: 'Reason',
      type: 'string',
      jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
      description: 'Why the policy is or is not Ready.',
      priority: 1,
    },
  ],
});

export const hostHealthCrd = buildCrd({
  kind: 'HostHealth',
  plural: 'hosthealths',
  shortName: 'hh',
  schema: hostHealthSchema,
  columns: [
    { name: 'State', type: 'string', jsonPath: '.status.state', description: 'Fault state of the host.' },
    {
      name: 'Remediated',
      type: 'string',
      jsonPath: '.status.conditions[?(@.type=="Remediated")].status',
      description: 'Whether every host-down action of the current or last fault is finished.',
      priority: 1,
    },
    { name: 'Nova Host', type: 'string', jsonPath: '.status.novaHost', description: 'Nova host name.' },
    { name: 'Faults', type: 'integer', jsonPath: '.status.activeFaults', description: 'Unresolved faults.' },
    {
      name: 'Policy',
      type: 'string',
      jsonPath: '.spec.policy',
      description: 'Owning FaultPolicy.',
      priority: 1,
    },
    {
      name: 'Maintenance',
      type: 'string',
      // The phase, not spec.maintenance.enabled: a cordon starts maintenance too.
      jsonPath: '.status.maintenance.phase',
      description: 'Phase of planned maintenance (started by spec.maintenance.enabled or a cordon).',
      priority: 1,
    },
    {
      name: 'Since',
      type: 'date',
      jsonPath: '.status.lastTransitionTime',
      description: 'Time since the state last changed.',
      priority: 1,
    },
    { name: 'Message', type: 'string', jsonPath: '.status.message', description: 'Why.', priority: 1 },
  ],
  // Lets the operator list one policy's hosts, and people `kubectl get hh --field-selector status.state=Down`.
  selectableFields: ['.spec.policy', '.status.state'],
});

export const crds: readonly CustomResourceDefinition[] = [faultPolicyCrd, hostHealthCrd];

/** Folders (relative to the repository root) that hold identical copies of the generated CRDs. */
export const crdDirectories = ['crds', 'helm/doctor-operator/crds'] as const;

export function crdFileName(crd: CustomResourceDefinition): string {
  return `${crd.spec.group}_${crd.spec.names.plural}.yaml`;
}

const header = [
  '# Code generated by `make crds` (node dist/src/api/generate-crds.js) from src/api/schema. DO NOT EDIT.',
  '# Change the schema in src/api/schema and run `make crds` instead.',
].join('\n');

export function renderCrd(crd: CustomResourceDefinition): string {
  const body = yaml.dump(crd, { sortKeys: true, noRefs: true, lineWidth: 100, quotingType: "'" });
  return `${header}\n---\n${body}`;
}

/** Every generated file: path relative to the repository root, and its content. */
export function renderCrdFiles(): { path: string; content: string }[] {
  return crdDirectories.flatMap((dir) =>
    crds.map((crd) => ({ path: `${dir}/${crdFileName(crd)}`, content: renderCrd(crd) })),
  );
}

// The FaultPolicy schema: its defaults, the examples, the fixtures the
// integration test dry-runs on a real API server, and the TypeScript types in src/api/types.ts.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { defaultedSpecFields } from '../../../src/api/policy-defaults.js';
import {
  faultPolicySchema,
  faultPolicySpec,
  faultPolicyStatus,
} from '../../../src/api/schema/faultpolicy.js';
import { hostHealthSpec, hostHealthStatus } from '../../../src/api/schema/hosthealth.js';
import type { JSONSchemaProps } from '../../../src/api/schema/openapi.js';
import type * as api from '../../../src/api/types.js';
import { applyDefaults, validate, walk } from './schema-check.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const fixtures = join(repoRoot, 'test/fixtures/policies');

interface PolicyFile {
  file: string;
  text: string;
  policy: api.FaultPolicy;
}

function readPolicies(dir: string): PolicyFile[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => {
      const text = readFileSync(join(dir, name), 'utf8');
      return { file: name, text, policy: yaml.load(text) as api.FaultPolicy };
    });
}

const examples = readPolicies(join(repoRoot, 'examples'));
const valid = readPolicies(join(fixtures, 'valid'));
const invalid = readPolicies(join(fixtures, 'invalid'));

function child(schema: JSONSchemaProps, name: string): JSONSchemaProps {
  const found = schema.properties?.[name];
  assert.ok(found, `schema has ${name}`);
  return found;
}

describe('FaultPolicy defaults', () => {
  it('a selector-only spec defaults to the documented values', () => {
    const nodeSelector = { matchLabels: { 'openstack-compute-node': 'enabled' } };
    const expected: api.FaultPolicySpec = {
      nodeSelector,
      novaHostLabel: '',
      monitor: {
        intervalMilliseconds: 30,
        timeoutMilliseconds: 15,
        failureThreshold: 2,
        successThreshold: 2,
        peers: 3,
        addressType: 'InternalIP',
        interfaces: [],
      },
      detection: { quorum: 2, windowMilliseconds: 1000, healthySeconds: 30 },
      protection: { maxUnhealthy: '20%' },
      actions: { node: { taint: true }, notify: [] },
      maintenance: { followNodeCordon: true, maxParallelMigrations: 8, migrationTimeoutSeconds: 900 },
      paused: false,
    };
    assert.deepEqual(applyDefaults(faultPolicySpec, { nodeSelector }), expected);
  });

  it('defaultedSpecFields() (policies built without an API server) are the schema defaults', () => {
    const spec = applyDefaults(faultPolicySpec, { nodeSelector: {} }) as api.FaultPolicySpec;
    const { novaHostLabel, monitor, detection, protection, paused } = spec;
    assert.deepEqual({ novaHostLabel, monitor, detection, protection, paused }, defaultedSpecFields());
  });

  it('Nova and notify entries default to the documented values', () => {
    const spec = applyDefaults(faultPolicySpec, {
      nodeSelector: { matchLabels: { a: 'b' } },
      actions: {
        nova: { cloudSecretRef: { name: 'openstack-clouds' } },
        notify: [{ name: 'vnfm', url: 'http://x.example/' }],
      },
    }) as api.FaultPolicySpec;
    assert.deepEqual(spec.actions.nova, {
      cloudSecretRef: { name: 'openstack-clouds', key: 'clouds.yaml' },
      cloud: 'openstack',
      forceDown: true,
      resetServers: true,
      disabledReason: 'doctor: host down',
      unforceOnRecovery: true,
    });
    assert.deepEqual(spec.actions.notify, [
      { name: 'vnfm', url: 'http://x.example/', format: 'aodh', timeoutMilliseconds: 1000, projects: [] },
    ]);
  });

  it('whole-object defaults equal the defaults of their fields, so omitting a section changes nothing', () => {
    for (const { path, schema } of walk(faultPolicySchema)) {
      if (schema.type !== 'object' || schema.default === undefined) continue;
      assert.deepEqual(schema.default, applyDefaults(schema, {}), `${path}`);
    }
  });

  it('defaults obey the cross-field rules (quorum <= peers, timeout <= interval)', () => {
    const spec = applyDefaults(faultPolicySpec, {
      nodeSelector: { matchLabels: { a: 'b' } },
    }) as api.FaultPolicySpec;
    assert.ok(spec.detection.quorum <= spec.monitor.peers);
    assert.ok(spec.monitor.timeoutMilliseconds <= spec.monitor.intervalMilliseconds);
  });
});

describe('examples and valid fixtures', () => {
  const accepted = [...examples.map((e) => ({ ...e, file: `examples/${e.file}` })), ...valid];

  it('include a minimal, a full, an openstack-helm and a selector-only policy', () => {
    assert.deepEqual(
      examples.map((e) => e.file),
      ['full-policy.yaml', 'minimal-policy.yaml', 'openstack-helm-policy.yaml'],
    );
    const selectorOnly = valid.find((v) => v.file === 'selector-only.yaml');
    assert.deepEqual(Object.keys(selectorOnly?.policy.spec ?? {}), ['nodeSelector']);
  });

  for (const { file, policy } of accepted) {
    it(`${file} is a FaultPolicy that passes the schema's keywords`, () => {
      assert.equal(policy.apiVersion, 'doctor.io/v1alpha1');
      assert.equal(policy.kind, 'FaultPolicy');
      assert.ok(policy.metadata.name.length <= 63);
      const spec = applyDefaults(faultPolicySpec, policy.spec) as api.FaultPolicySpec;
      assert.deepEqual(validate(faultPolicySpec, spec, 'spec'), []);
      assert.ok(spec.detection.quorum <= spec.monitor.peers);
      assert.ok(spec.monitor.timeoutMilliseconds <= spec.monitor.intervalMilliseconds);
      for (const target of spec.actions.notify) {
        const host = new URL(target.url).hostname;
        assert.ok(
          /\.example$|\.svc$/.test(host),
          `${target.url}: use a *.example host or a cluster service name`,
        );
      }
    });
  }

  it('the full example sets every spec field', () => {
    const full = examples.find((e) => e.file === 'full-policy.yaml')?.policy.spec;
    assert.ok(full);
    const missing: string[] = [];
    const visit = (schema: JSONSchemaProps, values: unknown[], path: string) => {
      for (const [name, sub] of Object.entries(schema.properties ?? {})) {
        const present = values
          .map((v) => (v as Record<string, unknown>)[name])
          .filter((v) => v !== undefined);
        if (present.length === 0) missing.push(`${path}.${name}`);
        else if (sub.type === 'object') visit(sub, present, `${path}.${name}`);
        else if (sub.type === 'array' && sub.items?.type === 'object') {
          visit(sub.items, present.flat(), `${path}.${name}[]`);
        }
      }
    };
    visit(faultPolicySpec, [full], 'spec');
    // The alternative to cloudSecretRef (the two exclude each other) is shown in its own example.
    const openstackHelm = examples.find((e) => e.file === 'openstack-helm-policy.yaml')?.policy.spec;
    assert.ok(openstackHelm?.actions.nova?.credentialsSecretRef);
    assert.deepEqual(missing, ['spec.actions.nova.credentialsSecretRef']);
    assert.equal(full.actions.notify.length, 3);
    assert.equal(full.actions.notify.filter((n) => n.secretRef !== undefined).length, 1);
    assert.equal(full.actions.nova?.cloudSecretRef?.name, 'openstack-clouds');
  });
});

describe('invalid fixtures', () => {
  it('there are at least 18, each a distinct FaultPolicy', () => {
    assert.ok(invalid.length >= 18, `only ${invalid.length}`);
    const names = invalid.map((f) => f.policy.metadata.name);
    assert.equal(new Set(names).size, names.length);
    const bodies = invalid.map((f) => JSON.stringify(f.policy.spec));
    assert.equal(new Set(bodies).size, bodies.length, 'two fixtures test the same spec');
  });

  for (const { file, text, policy } of invalid) {
    it(`${file} says which error the API server must give, naming the field`, () => {
      assert.equal(policy.kind, 'FaultPolicy');
      const expects = [...text.matchAll(/^# expect: (.+)$/gm)].map((m) => m[1]?.trim() ?? '');
      assert.equal(expects.length, 1, 'exactly one "# expect:" line');
      assert.match(expects[0] ?? '', /(spec|metadata)\.[A-Za-z]/, 'the expected message names the field');
    });
  }

  it('those not left to CEL or list checks already fail the schema keywords, so each breaks what it claims', () => {
    const celMessages = walk(faultPolicySchema).flatMap(({ schema }) =>
      (schema['x-kubernetes-validations'] ?? []).map((rule) => rule.message.slice(0, 30)),
    );
    const apiServerOnly = (text: string) =>
      celMessages.some((message) => text.includes(message)) || /Duplicate value/.test(text);
    const checked = invalid.filter(({ text }) => !apiServerOnly(text));
    assert.ok(checked.length >= 15, `only ${checked.length}`);
    for (const { file, policy } of checked) {
      const errors = validate(faultPolicySpec, applyDefaults(faultPolicySpec, policy.spec), 'spec');
      if (policy.metadata.name.length > 63) errors.push('metadata.name: too long');
      assert.notDeepEqual(errors, [], `${file} passes the schema keywords`);
    }
  });
});

describe('schemas and src/api/types.ts describe the same fields', () => {
  // Record<keyof T, true> only compiles when it lists exactly the fields of T.
  const specFields: Record<keyof api.FaultPolicySpec, true> = {
    nodeSelector: true,
    novaHostLabel: true,
    monitor: true,
    detection: true,
    protection: true,
    actions: true,
    maintenance: true,
    paused: true,
  };
  const monitorFields: Record<keyof api.MonitorSpec, true> = {
    intervalMilliseconds: true,
    timeoutMilliseconds: true,
    failureThreshold: true,
    successThreshold: true,
    peers: true,
    addressType: true,
    interfaces: true,
  };
  const detectionFields: Record<keyof api.DetectionSpec, true> = {
    quorum: true,
    windowMilliseconds: true,
    healthySeconds: true,
  };
  const novaFields: Record<keyof api.NovaActions, true> = {
    cloudSecretRef: true,
    credentialsSecretRef: true,
    cloud: true,
    forceDown: true,
    resetServers: true,
    disabledReason: true,
    unforceOnRecovery: true,
  };
  const notifyFields: Record<keyof api.NotifyTarget, true> = {
    name: true,
    url: true,
    format: true,
    secretRef: true,
    caBundle: true,
    timeoutMilliseconds: true,
    projects: true,
  };
  const policyStatusFields: Record<keyof api.FaultPolicyStatus, true> = {
    observedGeneration: true,
    conditions: true,
    monitoredHosts: true,
    unhealthyHosts: true,
    daemonSet: true,
    stormHeldHosts: true,
  };
  const hostSpecFields: Record<keyof api.HostHealthSpec, true> = { policy: true, maintenance: true };
  const hostStatusFields: Record<keyof api.HostHealthStatus, true> = {
    observedGeneration: true,
    lastTransitionTime: true,
    message: true,
    activeFaults: true,
    state: true,
    novaHost: true,
    novaServiceId: true,
    observers: true,
    faults: true,
    timeline: true,
    servers: true,
    notificationSummary: true,
    webhooks: true,
    remediation: true,
    maintenance: true,
    conditions: true,
  };

  const actions = child(faultPolicySpec, 'actions');
  const cases: [string, JSONSchemaProps, object, string[]][] = [
    ['FaultPolicySpec', faultPolicySpec, specFields, []],
    ['MonitorSpec', child(faultPolicySpec, 'monitor'), monitorFields, []],
    ['DetectionSpec', child(faultPolicySpec, 'detection'), detectionFields, []],
    ['NovaActions', child(actions, 'nova'), novaFields, []],
    ['NotifyTarget', child(actions, 'notify').items ?? {}, notifyFields, []],
    ['FaultPolicyStatus', faultPolicyStatus, policyStatusFields, []],
    ['HostHealthSpec', hostHealthSpec, hostSpecFields, []],
    ['HostHealthStatus', hostHealthStatus, hostStatusFields, []],
  ];
  for (const [name, schema, fields, extra] of cases) {
    it(name, () => {
      const inSchema = Object.keys(schema.properties ?? {}).sort();
      const inTypes = Object.keys(fields).filter((field) => !extra.includes(field));
      assert.deepEqual(inSchema, [...inTypes, ...extra].sort());
    });
  }
});

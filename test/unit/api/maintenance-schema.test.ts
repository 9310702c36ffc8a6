// The maintenance parts of the schemas match src/api/maintenance-types.ts field for field, default to
// what the workflow expects, and refuse values outside their bounds.
import assert from 'node:assert/strict';
import type * as m from '../../../src/api/maintenance-types.js';
import { faultPolicySpec } from '../../../src/api/schema/faultpolicy.js';
import { hostHealthSpec, hostHealthStatus } from '../../../src/api/schema/hosthealth.js';
import type { JSONSchemaProps } from '../../../src/api/schema/openapi.js';
import { applyDefaults, validate } from './schema-check.js';

const child = (schema: JSONSchemaProps, name: string): JSONSchemaProps => schema.properties?.[name] ?? {};

describe('maintenance schema', () => {
  const policyFields: Record<keyof m.MaintenancePolicy, true> = {
    followNodeCordon: true,
    maxParallelMigrations: true,
    migrationTimeoutSeconds: true,
  };
  const specFields: Record<keyof m.HostMaintenanceSpec, true> = {
    enabled: true,
    reason: true,
    maxWaitSeconds: true,
    migration: true,
  };
  const statusFields: Record<keyof m.MaintenanceStatus, true> = {
    sessionId: true,
    trigger: true,
    phase: true,
    startedTime: true,
    answersDeadline: true,
    hostEmptyTime: true,
    completedTime: true,
    serviceWasDown: true,
    steps: true,
    servers: true,
  };
  const serverFields: Record<keyof m.MaintenanceServer, true> = {
    id: true,
    name: true,
    project: true,
    answer: true,
    answeredBy: true,
    action: true,
    state: true,
    migrationId: true,
    toHost: true,
    message: true,
    time: true,
  };
  const status = child(hostHealthStatus, 'maintenance');
  const cases: [string, JSONSchemaProps, object][] = [
    ['MaintenancePolicy', child(faultPolicySpec, 'maintenance'), policyFields],
    ['HostMaintenanceSpec', child(hostHealthSpec, 'maintenance'), specFields],
    ['MaintenanceStatus', status, statusFields],
    ['MaintenanceServer', child(status, 'servers').items ?? {}, serverFields],
  ];
  for (const [name, schema, fields] of cases) {
    it(`${name} has the fields of its type`, () => {
      assert.deepEqual(Object.keys(schema.properties ?? {}).sort(), Object.keys(fields).sort());
    });
  }

  it('defaults: follow the cordon, live migration, a minute for answers', () => {
    const policy = applyDefaults(faultPolicySpec, { nodeSelector: { matchLabels: { a: 'b' } } }) as {
      maintenance: m.MaintenancePolicy;
    };
    assert.deepEqual(policy.maintenance, {
      followNodeCordon: true,
      maxParallelMigrations: 8,
      migrationTimeoutSeconds: 900,
    });
    const spec = applyDefaults(hostHealthSpec, { policy: 'p' }) as { maintenance: m.HostMaintenanceSpec };
    assert.deepEqual(spec.maintenance, { enabled: false, maxWaitSeconds: 60, migration: 'live' });
  });

  it('refuses out-of-bound waits, parallelism and unknown migration modes', () => {
    for (const maintenance of [
      { enabled: true, maxWaitSeconds: -1 },
      { enabled: true, maxWaitSeconds: 3601 },
      { enabled: true, migration: 'evacuate' },
    ]) {
      const errors = validate(
        hostHealthSpec,
        applyDefaults(hostHealthSpec, { policy: 'p', maintenance }),
        'spec',
      );
      assert.notDeepEqual(errors, [], JSON.stringify(maintenance));
    }
    for (const maintenance of [
      { maxParallelMigrations: 0 },
      { maxParallelMigrations: 65 },
      { migrationTimeoutSeconds: 5 },
    ]) {
      const spec = applyDefaults(faultPolicySpec, { nodeSelector: { matchLabels: { a: 'b' } }, maintenance });
      assert.notDeepEqual(validate(faultPolicySpec, spec, 'spec'), [], JSON.stringify(maintenance));
    }
  });
});

// Least privilege, proven by the API server's own authorizer (SubjectAccessReview) against the RBAC the
// chart installs: every call the operator makes is allowed to its ServiceAccount, what it does not need is
// denied, and the monitors' ServiceAccount can do nothing at all.
import * as k8s from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import type { Cluster } from '../../../tools/cluster/cluster.js';
import { sharedCluster } from '../../support/shared-cluster.js';
import { installRelease, removeRelease, uniqueNamespace } from './helm.js';

interface Access {
  verb: string;
  /** "group/resource" or "resource" for the core group, optionally "/subresource". */
  resource: string;
  /** Omitted: cluster-wide. */
  namespace?: string;
}

function parse(resource: string): { group: string; resource: string; subresource?: string } {
  const parts = resource.split('/');
  // Core resources are written without a group ("nodes", "pods/exec"); others start with a dotted group.
  const hasGroup = parts[0]!.includes('.') || parts[0] === 'apps';
  const [group, name, sub] = hasGroup ? [parts[0]!, parts[1]!, parts[2]] : ['', parts[0]!, parts[1]];
  return { group, resource: name, ...(sub ? { subresource: sub } : {}) };
}

describe('helm chart RBAC: least privilege', function () {
  this.timeout(120_000);
  let cluster: Cluster;
  let authz: k8s.AuthorizationV1Api;
  const ns = uniqueNamespace('helm-rbac');
  const other = uniqueNamespace('helm-rbac-other');

  /** Asks the authorizer as a ServiceAccount would be seen with its real token (user and groups). */
  async function allowed(serviceAccount: string, access: Access): Promise<boolean> {
    const review = await authz.createSubjectAccessReview({
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: `system:serviceaccount:${ns}:${serviceAccount}`,
          groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
          resourceAttributes: { verb: access.verb, ...parse(access.resource), namespace: access.namespace },
        },
      },
    });
    return review.status?.allowed === true;
  }

  async function check(serviceAccount: string, accesses: Access[], want: boolean): Promise<void> {
    const wrong: string[] = [];
    for (const access of accesses) {
      if ((await allowed(serviceAccount, access)) !== want) {
        wrong.push(`${access.verb} ${access.resource}${access.namespace ? ` in ${access.namespace}` : ''}`);
      }
    }
    assert.deepEqual(
      wrong,
      [],
      `${serviceAccount} should ${want ? '' : 'NOT '}be allowed: ${wrong.join('; ')}`,
    );
  }

  const each = (verbs: string[], resource: string, namespace?: string): Access[] =>
    verbs.map((verb) => ({ verb, resource, ...(namespace ? { namespace } : {}) }));

  before(async function () {
    cluster = await sharedCluster();
    const config = new k8s.KubeConfig();
    config.loadFromFile(cluster.kubeconfigPath);
    authz = config.makeApiClient(k8s.AuthorizationV1Api);
    await installRelease(cluster, ns);
  });

  after(async function () {
    await removeRelease(cluster, ns);
  });

  it('allows the operator every call it makes', async function () {
    await check(
      'doctor-operator',
      [
        ...each(['get', 'list', 'watch', 'patch', 'update'], 'doctor.io/faultpolicies'),
        ...each(['get', 'patch', 'update'], 'doctor.io/faultpolicies/status'),
        ...each(['update'], 'doctor.io/faultpolicies/finalizers'),
        ...each(['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'], 'doctor.io/hosthealths'),
        ...each(['get', 'patch', 'update'], 'doctor.io/hosthealths/status'),
        ...each(['get', 'list', 'watch', 'patch'], 'nodes'),
        // Events of cluster-scoped objects land in "default"; those of its DaemonSets in its namespace.
        ...each(['create', 'patch'], 'events', 'default'),
        ...each(['create', 'patch'], 'events', ns),
        ...each(['create'], 'authentication.k8s.io/tokenreviews'),
        ...each(['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'], 'apps/daemonsets', ns),
        ...each(['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'], 'configmaps', ns),
        ...each(['get', 'create', 'update'], 'coordination.k8s.io/leases', ns),
        ...each(['get'], 'secrets', ns),
        // The leader labels its own Pod (and unlabels a former leader's) for the inspector Service.
        ...each(['list', 'patch'], 'pods', ns),
      ],
      true,
    );
  });

  it('denies the operator what it does not need: other namespaces, pod changes, node deletion, listing Secrets', async function () {
    await check(
      'doctor-operator',
      [
        // Secrets only by name, only in its own namespace.
        ...each(['get', 'list', 'watch'], 'secrets', other),
        ...each(['get', 'list'], 'secrets'),
        ...each(['list', 'watch', 'create', 'update', 'patch', 'delete'], 'secrets', ns),
        // Nodes: tainted, never replaced or deleted.
        ...each(['delete', 'update', 'create', 'deletecollection'], 'nodes'),
        ...each(['update', 'patch'], 'nodes/status'),
        // Pods: only labelled in its own namespace; never created, deleted, or touched elsewhere.
        ...each(['create', 'delete', 'update'], 'pods', ns),
        ...each(['list', 'patch'], 'pods', other),
        ...each(['create'], 'pods/exec', ns),
        ...each(['create'], 'pods/eviction', ns),
        // Its namespaced objects only in its namespace.
        ...each(['get', 'create', 'delete'], 'apps/daemonsets', other),
        ...each(['get', 'create'], 'configmaps', other),
        ...each(['get', 'update'], 'coordination.k8s.io/leases', other),
        ...each(['delete', 'list'], 'coordination.k8s.io/leases', ns),
        // Policies are the user's: read and finalized, never created or deleted.
        ...each(['create', 'delete', 'deletecollection'], 'doctor.io/faultpolicies'),
        ...each(['deletecollection'], 'doctor.io/hosthealths'),
        ...each(['delete', 'get', 'list'], 'events', ns),
        ...each(['create'], 'serviceaccounts/token', ns),
        ...each(['create', 'update'], 'apiextensions.k8s.io/customresourcedefinitions'),
        ...each(['create', 'bind', 'escalate'], 'rbac.authorization.k8s.io/clusterroles'),
        ...each(['create'], 'rbac.authorization.k8s.io/rolebindings', ns),
      ],
      false,
    );
  });

  it('denies the monitors every Kubernetes API call: no Secrets, no Node changes, nothing created', async function () {
    await check(
      'doctor-monitor',
      [
        ...each(['get', 'list', 'watch'], 'secrets', ns),
        ...each(['get', 'list'], 'secrets'),
        ...each(['get', 'list', 'watch', 'patch', 'update', 'delete'], 'nodes'),
        ...each(['patch', 'update'], 'nodes/status'),
        ...each(['get', 'list', 'create', 'patch'], 'doctor.io/hosthealths'),
        ...each(['patch'], 'doctor.io/hosthealths/status'),
        ...each(['get', 'list'], 'doctor.io/faultpolicies'),
        ...each(['create'], 'events', ns),
        ...each(['create'], 'events', 'default'),
        ...each(['get', 'list', 'create'], 'pods', ns),
        ...each(['get', 'create'], 'configmaps', ns),
        ...each(['get', 'create', 'update'], 'coordination.k8s.io/leases', ns),
        ...each(['create'], 'authentication.k8s.io/tokenreviews'),
        ...each(['create'], 'serviceaccounts/token', ns),
        ...each(['get', 'create'], 'apps/daemonsets', ns),
      ],
      false,
    );
  });
});

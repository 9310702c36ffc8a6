// The chart on a real API server: `helm template` passes a server-side dry-run apply, and `helm install`
// (no --wait) creates every object the chart defines; uninstall removes the cluster-scoped ones.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from '../../../tools/cluster/cluster.js';
import { repoRoot } from '../../../tools/cluster/paths.js';
import { waitFor } from '../../../tools/cluster/wait.js';
import { kubeClients } from '../../../tools/cluster/kube/client.js';
import { installCrds } from '../../../tools/cluster/kube/install.js';
import { sharedCluster } from '../../support/shared-cluster.js';
import yaml from 'js-yaml';
import { parseOperatorArgs } from '../../../src/operator/command.js';
import { desiredMonitorDaemonSet } from '../../../src/operator/desired/daemonset.js';
import { monitorTokenAudience } from '../../../src/operator/operator.js';
import { policy } from '../../unit/operator/fixtures.js';
import {
  chartDir,
  helm,
  installRelease,
  keystoneCaValues,
  releaseName,
  removeRelease,
  renderChart,
  uniqueNamespace,
} from './helm.js';

const cloudsYaml = 'clouds:\n  openstack:\n    auth: {auth_url: "http://127.0.0.1:5000/v3"}\n';

describe('helm chart on the local control plane', function () {
  this.timeout(180_000);
  let cluster: Cluster;
  const namespaces: string[] = [];

  before(async function () {
    cluster = await sharedCluster();
  });

  after(async function () {
    for (const namespace of namespaces) await removeRelease(cluster, namespace);
  });

  it('helm template output passes kubectl apply --dry-run=server', async function () {
    const namespace = uniqueNamespace('helm-dry-run');
    namespaces.push(namespace);
    const created = await cluster.kubectl(['create', 'namespace', namespace]);
    assert.equal(created.code, 0, created.stderr);
    const manifest = await helm([
      'template',
      releaseName,
      chartDir,
      '--namespace',
      namespace,
      '--include-crds',
      '--set',
      'cloudsYaml.create=true',
      '--set',
      `cloudsYaml.content=${cloudsYaml}`,
    ]);
    const result = await cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], manifest);
    assert.equal(result.code, 0, `server-side dry run refused the chart:\n${result.stderr}`);
    for (const object of [
      'customresourcedefinition.apiextensions.k8s.io/faultpolicies.doctor.io',
      'deployment.apps/doctor-operator',
      `clusterrole.rbac.authorization.k8s.io/doctor-operator-${namespace}`,
      'secret/openstack-clouds',
      'configmap/doctor-operator-dashboard',
    ]) {
      assert.match(result.stdout, new RegExp(`${object.replace(/\./g, '\\.')} .*\\(server dry run\\)`));
    }
  });

  it('with every chart value set, and the monitor DaemonSet the operator then builds, passes a server-side dry run', async function () {
    const namespace = uniqueNamespace('helm-values');
    namespaces.push(namespace);
    assert.equal((await cluster.kubectl(['create', 'namespace', namespace])).code, 0);
    const values = [
      'fullnameOverride=acme-doctor',
      'image.repository=registry.example/doctor',
      `image.digest=sha256:${'d'.repeat(64)}`,
      'image.pullPolicy=Always',
      'imagePullSecrets[0].name=regcred',
      'operator.podSecurityContext.runAsUser=null',
      'operator.podSecurityContext.runAsGroup=null',
      ...keystoneCaValues,
      'monitor.resources.requests.cpu=30m',
    ];
    const objects = await renderChart(namespace, values);
    const manifest = objects.map((o) => `---\n${yaml.dump(o)}`).join('');
    const result = await cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], manifest);
    assert.equal(result.code, 0, `server-side dry run refused the chart:\n${result.stderr}`);
    assert.match(result.stdout, /deployment\.apps\/acme-doctor .*\(server dry run\)/);

    // What the operator makes of the rendered flags: its monitor DaemonSet, with the chart's priority
    // class (system-node-critical outside kube-system), pull secrets, resources and exec liveness probe.
    const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as {
      spec: { template: { spec: { containers: { args: string[] }[] } } };
    };
    const parsed = parseOperatorArgs(deployment.spec.template.spec.containers[0]!.args.slice(1), {
      POD_NAMESPACE: namespace,
    });
    if (parsed === 'help') return assert.fail('help');
    const { options } = parsed;
    const daemonSet = desiredMonitorDaemonSet(
      policy('compute-hosts', { 'openstack-compute-node': 'enabled' }),
      {
        ...options.monitor,
        namespace,
        image: options.monitorImage,
        serviceAccountName: options.monitorServiceAccount,
        tokenAudience: monitorTokenAudience,
      },
    );
    delete daemonSet.metadata!.ownerReferences;
    assert.equal(daemonSet.metadata!.name, 'acme-doctor-monitor-compute-hosts');
    assert.equal(daemonSet.spec!.template.spec!.priorityClassName, 'system-node-critical');
    const dryRun = await cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(daemonSet));
    assert.equal(dryRun.code, 0, `the monitor DaemonSet was refused:\n${dryRun.stderr}`);
  });

  // make e2e-kind cannot run without Docker; this keeps its manifests valid where it cannot run.
  it('the make e2e-kind manifests (chart values, consumer, policy) pass a server-side dry run', async function () {
    const namespace = uniqueNamespace('helm-kind');
    namespaces.push(namespace);
    await installCrds(cluster, kubeClients(cluster.kubeconfigPath));
    assert.equal((await cluster.kubectl(['create', 'namespace', namespace])).code, 0);
    const e2eDir = join(repoRoot, 'test/e2e-kind');
    const chart = await helm([
      'template',
      releaseName,
      chartDir,
      '--namespace',
      namespace,
      '--values',
      join(e2eDir, 'values.yaml'),
    ]);
    // consumer.yaml names the namespace the script installs into; the dry run uses this test's own.
    const consumer = readFileSync(join(e2eDir, 'consumer.yaml'), 'utf8').replaceAll(
      'namespace: doctor-system',
      `namespace: ${namespace}`,
    );
    const policy = readFileSync(join(e2eDir, 'policy.yaml'), 'utf8');
    for (const [what, manifest] of [
      ['chart with test/e2e-kind/values.yaml', chart],
      ['consumer.yaml', consumer],
      ['policy.yaml', policy],
    ] as const) {
      const result = await cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], manifest);
      assert.equal(result.code, 0, `${what} refused:\n${result.stderr}`);
    }
  });

  it('helm install creates every object of the chart, and uninstall removes the cluster-scoped ones', async function () {
    const namespace = uniqueNamespace('helm-install');
    namespaces.push(namespace);
    const output = await installRelease(cluster, namespace);
    // NOTES.txt tells the user what to do next.
    for (const step of [
      `kubectl -n ${namespace} create secret generic openstack-clouds --from-file=clouds.yaml`,
      'kubectl get hosthealth -w',
      `pod-security.kubernetes.io/enforce=privileged`,
      `http://doctor-operator-metrics.${namespace}.svc:8081/metrics`,
    ]) {
      assert.ok(output.includes(step), `install notes lack "${step}":\n${output}`);
    }

    const expected: [string, string, boolean][] = [
      ['customresourcedefinition', 'faultpolicies.doctor.io', false],
      ['customresourcedefinition', 'hosthealths.doctor.io', false],
      ['deployment', 'doctor-operator', true],
      ['service', 'doctor-operator-inspector', true],
      ['service', 'doctor-operator-metrics', true],
      ['serviceaccount', 'doctor-operator', true],
      ['serviceaccount', 'doctor-monitor', true],
      ['role', 'doctor-operator', true],
      ['rolebinding', 'doctor-operator', true],
      ['clusterrole', `doctor-operator-${namespace}`, false],
      ['clusterrolebinding', `doctor-operator-${namespace}`, false],
      ['configmap', 'doctor-operator-dashboard', true],
    ];
    for (const [kind, name, namespaced] of expected) {
      const result = await cluster.kubectl([
        'get',
        kind,
        name,
        ...(namespaced ? ['--namespace', namespace] : []),
        '-o',
        'name',
      ]);
      assert.equal(result.code, 0, `${kind}/${name} was not created: ${result.stderr}`);
    }
    for (const crd of ['faultpolicies.doctor.io', 'hosthealths.doctor.io']) {
      const established = await cluster.kubectl([
        'wait',
        '--for=condition=Established',
        `customresourcedefinition/${crd}`,
        '--timeout=60s',
      ]);
      assert.equal(established.code, 0, established.stderr);
    }
    // The Deployment controller of the test control plane acts on it: two operator Pods.
    await waitFor(
      'the operator Deployment to have 2 Pods',
      async () => {
        const pods = await cluster.kubectl([
          'get',
          'pods',
          '--namespace',
          namespace,
          '-l',
          'app.kubernetes.io/component=operator',
          '-o',
          'name',
        ]);
        return pods.stdout.trim().split('\n').filter(Boolean).length === 2 ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );

    await helm(['uninstall', releaseName, '--namespace', namespace], cluster);
    const clusterRole = await cluster.kubectl(['get', 'clusterrole', `doctor-operator-${namespace}`]);
    assert.notEqual(clusterRole.code, 0, 'the ClusterRole outlived helm uninstall');
  });
});

// The image built by `make image` (tools/image/build.sh), run with runc as a kubelet would run it: the
// CLI answers, the operator takes its Lease and reconciles a FaultPolicy on the real control plane, and a
// monitor container with the DaemonSet's securityContext pings a peer in a network namespace with
// NET_RAW as its only capability, and cannot without it.
import assert from 'node:assert/strict';
import {
  chownSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type * as k8s from '@kubernetes/client-node';
import type { HostEvent } from '../../../src/api/events.js';
import {
  desiredMonitorDaemonSet,
  imageCliPath,
  monitorTokenFile,
} from '../../../src/operator/desired/daemonset.js';
import { monitorNodeFlags } from '../../../src/monitor/node-flags.js';
import { monitorConfig, monitorConfigFileName } from '../../../src/operator/desired/monitor-config.js';
import { monitorDaemonSetName } from '../../../src/operator/desired/names.js';
import type { Cluster } from '../../../tools/cluster/cluster.js';
import { repoRoot } from '../../../tools/cluster/paths.js';
import { freePort } from '../../../tools/cluster/ports.js';
import { waitFor } from '../../../tools/cluster/wait.js';
import { kubectlApply } from '../../../tools/cluster/kube/apply.js';
import { kubeClients, type KubeClients } from '../../../tools/cluster/kube/client.js';
import { installOperatorPrerequisites, operatorNamespace } from '../../../tools/cluster/kube/install.js';
import { createKwokNodes, deleteNodes, waitForNodesReady } from '../../../tools/cluster/kube/nodes.js';
import { EventReceiver } from '../../../tools/testbed/event-receiver.js';
import { createTestbed, type Testbed } from '../../../tools/testbed/testbed.js';
import { operatorArgs, waitForHealthz } from '../../../tools/demo/operator-process.js';
import { sharedCluster } from '../../support/shared-cluster.js';
import { policyYaml, waitForHostHealths } from '../operator/helpers.js';
import { policy as policyObject } from '../../unit/operator/fixtures.js';
import { ensureImage, imageLayout, imageTag } from './built-image.js';
import {
  ImageContainers,
  removeStaleContainers,
  type ContainerSpec,
  type RunningContainer,
} from './runc-containers.js';

const nodeVersion = /^NODE_VERSION=(.+)$/m.exec(
  readFileSync(join(repoRoot, 'tools/image/versions.env'), 'utf8'),
)![1]!;

/** What runc needs from a Kubernetes container securityContext (drop ALL plus an add list). */
function fromSecurityContext(
  context: k8s.V1SecurityContext,
  imageUser: { uid: number; gid: number },
): Pick<ContainerSpec, 'user' | 'capabilities'> {
  assert.deepEqual(context.capabilities?.drop, ['ALL'], 'the monitor drops every capability first');
  assert.equal(context.allowPrivilegeEscalation, false);
  const uid = context.runAsUser ?? imageUser.uid;
  return {
    user: { uid, gid: context.runAsGroup ?? (uid === 0 ? 0 : imageUser.gid) },
    capabilities: (context.capabilities?.add ?? []).map((c) => `CAP_${c}`),
  };
}

describe('the image, run with runc', function () {
  this.timeout(180_000);
  let containers: ImageContainers;

  before(async function () {
    this.timeout(20 * 60_000);
    for (const id of removeStaleContainers()) process.stderr.write(`image: removed stale container ${id}\n`);
    await ensureImage();
    containers = ImageContainers.unpack(imageLayout, imageTag);
  });

  after(function () {
    containers?.cleanup();
  });

  it('answers doctor --version as the non-root image user, on Node.js from versions.env', async function () {
    const version = await containers.run({ args: ['doctor', '--version'] });
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout, `doctor-operator ${imageTag}\n`);
    const node = await containers.run({ args: ['node', '--version'] });
    assert.equal(node.stdout.trim(), `v${nodeVersion}`);
    const id = await containers.run({ args: ['id', '-u'] });
    assert.equal(id.stdout.trim(), '65532');
    assert.equal(containers.imageUser.uid, 65532);
  });

  describe('operator container on the local control plane', function () {
    const nodes = ['img-node-0', 'img-node-1'];
    const policy = 'img-policy';
    const identity = 'image-operator';
    let cluster: Cluster;
    let kube: KubeClients;
    let operator: RunningContainer | undefined;
    let secrets: string | undefined;

    before(async function () {
      cluster = await sharedCluster();
      kube = kubeClients(cluster.kubeconfigPath);
      await installOperatorPrerequisites(cluster, kube);
      await createKwokNodes(kube.core, nodes, { labels: { 'img-test': 'enabled' }, subnet: '198.18.4' });
      await waitForNodesReady(kube.core, nodes);
    });

    afterEach(function () {
      if (this.currentTest?.state === 'failed' && operator) {
        process.stderr.write(`operator container output:\n${operator.output().slice(-4000)}\n`);
      }
    });

    after(async function () {
      await operator?.stop();
      if (cluster)
        await cluster.kubectl(['delete', 'faultpolicy', policy, '--ignore-not-found', '--wait=false']);
      if (kube) await deleteNodes(kube.core, nodes);
      if (secrets) rmSync(secrets, { recursive: true, force: true });
    });

    it('takes its Lease, then a FaultPolicy gets its monitor DaemonSet and one HostHealth per node', async function () {
      // The kubeconfig as a Secret volume would present it: readable by the container's user only.
      secrets = mkdtempSync(join(tmpdir(), 'doctor-image-secrets-'));
      const kubeconfig = join(secrets, 'kubeconfig');
      copyFileSync(cluster.kubeconfigPath, kubeconfig);
      for (const path of [secrets, kubeconfig]) {
        chownSync(path, containers.imageUser.uid, containers.imageUser.gid);
      }
      const healthPort = await freePort();
      const inspectorPort = await freePort();
      operator = containers.start({
        args: [
          'doctor',
          ...operatorArgs({
            kubeconfig: '/var/run/doctor/kubeconfig',
            namespace: operatorNamespace,
            identity,
            healthPort,
            inspectorPort,
            extraArgs: ['--lease-name', identity],
          }),
        ],
        binds: [{ source: secrets, destination: '/var/run/doctor' }],
      });
      const running = operator;
      const exited = (): string | undefined =>
        running.hasExited() ? `the container exited: ${running.output().slice(-2000)}` : undefined;
      await waitForHealthz('the operator container', healthPort, { timeoutMs: 60_000, abortIf: exited });
      await waitFor(
        `Lease ${identity} held by ${identity}`,
        async () => {
          const lease = (await kube.custom.getNamespacedCustomObject({
            group: 'coordination.k8s.io',
            version: 'v1',
            namespace: operatorNamespace,
            plural: 'leases',
            name: identity,
          })) as { spec: { holderIdentity?: string } };
          return lease.spec.holderIdentity === identity ? true : undefined;
        },
        { timeoutMs: 60_000, abortIf: exited },
      );

      await kubectlApply(cluster, { yaml: policyYaml(policy, 'img-test') });
      await waitForHostHealths(kube, policy, nodes, 90_000);
      const daemonSet = await waitFor(
        `DaemonSet ${monitorDaemonSetName(policy)}`,
        () =>
          kube.apps.readNamespacedDaemonSet({
            namespace: operatorNamespace,
            name: monitorDaemonSetName(policy),
          }),
        { timeoutMs: 60_000, abortIf: exited },
      );
      const monitor = daemonSet.spec!.template.spec!.containers[0]!;
      // node with the monitor's flags, running the image's doctor script.
      assert.deepEqual(monitor.command?.slice(0, monitorNodeFlags.length + 3), [
        'node',
        ...monitorNodeFlags,
        imageCliPath,
        'monitor',
      ]);
      const capabilities = monitor.securityContext?.capabilities;
      assert.deepEqual(
        { drop: capabilities?.drop, add: capabilities?.add },
        { drop: ['ALL'], add: ['NET_RAW'] },
      );
    });
  });

  describe('monitor container in a network namespace', function () {
    let bed: Testbed | undefined;
    let receiver: EventReceiver | undefined;
    let files: string | undefined;
    let monitorContainer: k8s.V1Container;
    let monitorContext: k8s.V1SecurityContext;
    let monitor: RunningContainer | undefined;

    before(async function () {
      bed = await createTestbed({ hosts: 2 });
      receiver = await EventReceiver.start(bed.receiverAddress);
      const policy = policyObject('img-monitor', { 'img-test': 'enabled' });
      const daemonSet = desiredMonitorDaemonSet(policy, {
        namespace: operatorNamespace,
        image: `doctor-operator:${imageTag}`,
        serviceAccountName: 'doctor-monitor',
        tokenAudience: 'doctor-inspector',
      });
      monitorContainer = daemonSet.spec!.template.spec!.containers[0]!;
      monitorContext = monitorContainer.securityContext!;
      // The DaemonSet's volumes, as kubelet would fill them: the ConfigMap and the projected token.
      files = mkdtempSync(join(tmpdir(), 'doctor-image-monitor-'));
      const hosts = bed.hosts.map((h) => ({ name: h.name, address: h.address }));
      mkdirSync(join(files, 'config'));
      writeFileSync(
        join(files, 'config', monitorConfigFileName),
        JSON.stringify(monitorConfig(policy, hosts, receiver.url)),
      );
      mkdirSync(join(files, 'inspector-token'));
      writeFileSync(join(files, 'inspector-token', basename(monitorTokenFile)), 'image-test-token\n');
      // emptyDir volumes (the monitor's liveness folder) start empty.
      for (const volume of daemonSet.spec!.template.spec!.volumes ?? []) {
        if (volume.emptyDir) mkdirSync(join(files, volume.name));
      }
    });

    afterEach(async function () {
      if (this.currentTest?.state === 'failed' && monitor) {
        process.stderr.write(`monitor container output:\n${monitor.output().slice(-4000)}\n`);
      }
      await monitor?.stop();
      monitor = undefined;
      for (const host of bed?.hosts ?? []) await bed?.setNic(host.name, 'up');
    });

    after(async function () {
      await monitor?.stop();
      await receiver?.close();
      await bed?.destroy();
      if (files) rmSync(files, { recursive: true, force: true });
    });

    /** The DaemonSet's monitor container, on the simulated host `netns`, with the given user and capabilities. */
    function startMonitor(
      netns: string,
      nodeName: string,
      security: Pick<ContainerSpec, 'user' | 'capabilities'>,
    ): RunningContainer {
      const fixedEnv = (monitorContainer.env ?? []).filter((e) => e.value !== undefined);
      return containers.start({
        args: [...monitorContainer.command!, ...(monitorContainer.args ?? [])],
        ...security,
        netns: `/run/netns/${netns}`,
        env: [`NODE_NAME=${nodeName}`, ...fixedEnv.map((e) => `${e.name}=${e.value}`)],
        binds: (monitorContainer.volumeMounts ?? []).map((m) => ({
          source: join(files!, m.name),
          destination: m.mountPath,
          writable: m.readOnly !== true,
        })),
      });
    }

    it("runs the DaemonSet's monitor container: real ICMP replies make it report its peer up, a pulled link down", async function () {
      const [self, peer] = bed!.hosts;
      monitor = startMonitor(
        self!.netns,
        self!.name,
        fromSecurityContext(monitorContext, containers.imageUser),
      );
      const about = (type: string) => (e: HostEvent) =>
        e.type === type && e.details.hostname === peer!.name && e.details.observer === self!.name;
      await receiver!.waitFor(about('compute.host.up'), 30_000);
      // The DaemonSet's liveness probe, exec'd in the image as kubelet would, on the running monitor's file.
      const probe = await containers.run({
        args: monitorContainer.livenessProbe!.exec!.command!,
        binds: [{ source: join(files!, 'run'), destination: '/run/doctor' }],
      });
      assert.equal(probe.code, 0, probe.stderr);
      const mark = receiver!.received.length;
      await bed!.setNic(peer!.name, 'down');
      await receiver!.waitFor(about('compute.host.down'), 30_000, mark);
    });

    it('the same monitor container without NET_RAW says it needs NET_RAW, exits, and reports nothing up', async function () {
      const [self, peer] = bed!.hosts;
      const security = fromSecurityContext(monitorContext, containers.imageUser);
      const mark = receiver!.received.length;
      monitor = startMonitor(self!.netns, self!.name, { ...security, capabilities: [] });
      const running = monitor;
      const code = await waitFor(
        'the monitor container to exit',
        () => (running.hasExited() ? running.exited : Promise.resolve(undefined)),
        { timeoutMs: 30_000 },
      );
      assert.notEqual(code, 0, 'the monitor exits with an error');
      assert.match(running.output(), /needs the NET_RAW capability/);
      const up = receiver!.received
        .slice(mark)
        .filter((r) => r.event.type === 'compute.host.up' && r.event.details.hostname === peer!.name);
      assert.deepEqual(up, [], 'reported its peer up without being able to ping');
    });

    it("pings a peer with the DaemonSet's securityContext (NET_RAW only), and cannot without NET_RAW", async function () {
      const [self, peer] = bed!.hosts;
      const security = fromSecurityContext(monitorContext, containers.imageUser);
      assert.deepEqual(security.capabilities, ['CAP_NET_RAW']);
      const ping = (capabilities: string[]) =>
        containers.run({
          args: ['ping', '-n', '-c', '1', '-W', '2', peer!.address],
          user: security.user,
          capabilities,
          netns: `/run/netns/${self!.netns}`,
        });

      const allowed = await ping(security.capabilities);
      assert.equal(allowed.code, 0, `ping with NET_RAW failed: ${allowed.stdout}${allowed.stderr}`);
      assert.match(allowed.stdout, /1 packets transmitted, 1 received/);

      const denied = await ping([]);
      assert.notEqual(denied.code, 0, `ping without NET_RAW succeeded: ${denied.stdout}`);
      assert.match(denied.stderr, /Operation not permitted|permission denied/i);
    });
  });
});

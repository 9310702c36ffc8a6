// The demo and e2e run each monitor Pod's container command as a local process: both command forms the
// operator writes must map onto the repository's cli.js, keeping the Node flags the DaemonSet passes.
import assert from 'node:assert/strict';
import { localCommand } from '../../../tools/demo/pod-process.js';
import { desiredMonitorDaemonSet, imageCliPath } from '../../../src/operator/desired/daemonset.js';
import { monitorNodeFlags } from '../../../src/monitor/node-flags.js';
import { policy } from '../operator/fixtures.js';

describe('demo Pod process: container command', function () {
  it('keeps the Node flags of node FLAGS cli.js ARGS and passes ARGS to the local cli.js', function () {
    assert.deepEqual(
      localCommand(['node', '--max-opt=2', '--single-threaded', imageCliPath, 'monitor', '-v']),
      [
        ['--max-opt=2', '--single-threaded'],
        ['monitor', '-v'],
      ],
    );
  });

  it("runs the image's doctor entrypoint with no flags", function () {
    assert.deepEqual(localCommand(['doctor', 'monitor', '--config', '/etc/doctor/x']), [
      [],
      ['monitor', '--config', '/etc/doctor/x'],
    ]);
  });

  it('refuses any other command instead of running it', function () {
    assert.throws(() => localCommand(['sh', '-c', 'true']), /expected the container to run doctor/);
    assert.throws(() => localCommand(['node', 'other.js', imageCliPath]), /expected the container/);
  });

  it('understands the command the operator writes into the monitor DaemonSet', function () {
    const ds = desiredMonitorDaemonSet(policy('p', { role: 'compute' }), {
      namespace: 'doctor-system',
      image: 'doctor-operator:test',
      serviceAccountName: 'doctor-monitor',
      tokenAudience: 'doctor-inspector',
    });
    const [flags, args] = localCommand(ds.spec!.template.spec!.containers[0]!.command!);
    assert.deepEqual(flags, [...monitorNodeFlags]);
    assert.equal(args[0], 'monitor');
  });
});

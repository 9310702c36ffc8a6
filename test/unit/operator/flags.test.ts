// The operator's controller-runtime-style flags: listen addresses, --leader-elect, --log-level, the
// --monitor-* flags, and the deprecated spellings they replace.
import assert from 'node:assert/strict';
import { formatBindAddress, parseBindAddress } from '../../../src/operator/bind-address.js';
import { parseOperatorArgs, type ParsedOperatorArgs } from '../../../src/operator/command.js';
import { defaultMonitorResources } from '../../../src/operator/desired/daemonset.js';
import { parseMonitorResources } from '../../../src/operator/monitor-flags.js';
import { resolveLogLevel } from '../../../src/observability/log-level.js';

function parse(...args: string[]): ParsedOperatorArgs {
  const parsed = parseOperatorArgs(args, {});
  if (parsed === 'help') return assert.fail('help');
  return parsed;
}

describe('operator flags', function () {
  describe('listen addresses', function () {
    it('listen on every interface by default, metrics with the probes', function () {
      const { options, warnings } = parse();
      assert.equal(options.healthPort, 8081);
      assert.equal(options.healthHost, undefined);
      assert.equal(options.metrics, undefined);
      assert.equal(options.inspectorPort, 12345);
      assert.equal(options.inspectorHost, undefined);
      assert.deepEqual(warnings, []);
    });

    it('take HOST:PORT, [IPv6]:PORT and :PORT', function () {
      const { options } = parse(
        '--health-probe-bind-address=127.0.0.1:9440',
        '--metrics-bind-address',
        '[::1]:9090',
        '--inspector-bind-address=:12000',
      );
      assert.deepEqual([options.healthHost, options.healthPort], ['127.0.0.1', 9440]);
      assert.deepEqual(options.metrics, { host: '::1', port: 9090 });
      assert.deepEqual([options.inspectorHost, options.inspectorPort], [undefined, 12000]);
    });

    it('serve metrics on the probes listener when both name the same address, none with 0', function () {
      assert.equal(parse('--metrics-bind-address=:8081').options.metrics, undefined);
      assert.equal(parse('--metrics-bind-address=0').options.metrics, 'off');
    });

    it('still accept the deprecated host and port flags, each with a warning', function () {
      const { options, warnings } = parse('--health-port', '0', '--inspector-host', '127.0.0.1');
      assert.deepEqual([options.healthHost, options.healthPort], [undefined, 0]);
      assert.deepEqual([options.inspectorHost, options.inspectorPort], ['127.0.0.1', 12345]);
      assert.deepEqual(warnings, [
        '--health-port is deprecated: use --health-probe-bind-address',
        '--inspector-host is deprecated: use --inspector-bind-address',
      ]);
    });

    it('round-trip through their written form', function () {
      for (const text of [':8081', '127.0.0.1:0', '[::]:12345', 'localhost:80']) {
        assert.equal(formatBindAddress(parseBindAddress('x', text)), text);
      }
    });
  });

  describe('--leader-elect', function () {
    it('is a switch: bare is on, =false is off, absent is on', function () {
      assert.equal(parse('--leader-elect').options.leaderElection, true);
      assert.equal(parse('--leader-elect=false').options.leaderElection, false);
      assert.equal(parse('--leader-elect=true').options.leaderElection, true);
      assert.equal(parse().options.leaderElection, true);
    });

    it('accepts the former two-argument form with a warning', function () {
      const { options, warnings } = parse('--leader-elect', 'false', '--workers', '2');
      assert.equal(options.leaderElection, false);
      assert.equal(options.workers, 2);
      assert.deepEqual(warnings, ['--leader-elect false is deprecated: use --leader-elect=false']);
    });
  });

  it('--log-level wins over DOCTOR_LOG_LEVEL; both are checked', function () {
    assert.equal(parse('--log-level=debug').logLevel, 'debug');
    assert.equal(parse().logLevel, 'info');
    assert.equal(resolveLogLevel(undefined, { DOCTOR_LOG_LEVEL: 'warn' }), 'warn');
    assert.equal(resolveLogLevel('error', { DOCTOR_LOG_LEVEL: 'warn' }), 'error');
    assert.throws(
      () => resolveLogLevel(undefined, { DOCTOR_LOG_LEVEL: 'loud' }),
      /DOCTOR_LOG_LEVEL must be one of/,
    );
  });

  it('passes the monitor Pod settings through, with the benchmark-sized resources by default', function () {
    assert.deepEqual(parse().options.monitor, { resources: defaultMonitorResources });
    const { options } = parse(
      '--monitor-image-pull-policy=Always',
      '--monitor-image-pull-secrets=reg-a, reg-b',
      '--monitor-name-prefix=ops-monitor',
      '--monitor-priority-class=system-node-critical',
      '--monitor-resources={"requests":{"cpu":"25m","memory":"64Mi"},"limits":{"memory":"128Mi"}}',
    );
    assert.deepEqual(options.monitor, {
      imagePullPolicy: 'Always',
      imagePullSecrets: ['reg-a', 'reg-b'],
      namePrefix: 'ops-monitor',
      priorityClassName: 'system-node-critical',
      resources: { requests: { cpu: '25m', memory: '64Mi' }, limits: { memory: '128Mi' } },
    });
    assert.deepEqual(parseMonitorResources('r', '{"limits":{"memory":134217728}}'), {
      limits: { memory: '134217728' },
    });
  });

  const bad: [string[], RegExp][] = [
    [['--metrics-bind-address=8080'], /--metrics-bind-address: '8080' is not HOST:PORT or :PORT/],
    [['--health-probe-bind-address=:http'], /--health-probe-bind-address: ':http' has no port 0\.\.65535/],
    [['--inspector-bind-address=:70000'], /has no port 0\.\.65535/],
    [['--inspector-bind-address=::1:80'], /put the IPv6 address of '::1:80' in brackets/],
    [['--metrics-bind-address=[127.0.0.1]:80'], /'127\.0\.0\.1' in .* is not an IPv6 address/],
    [['--health-probe-bind-address=bad_host:80'], /'bad_host' .* is neither an IP address nor a host name/],
    [['--health-port=x'], /--health-port must be a port 0\.\.65535, got 'x'/],
    [
      ['--health-port=1', '--health-probe-bind-address=:2'],
      /--health-port and --health-probe-bind-address both given/,
    ],
    [
      ['--inspector-bind-address=:8081'],
      /--health-probe-bind-address :8081 and --inspector-bind-address :8081 use the same port/,
    ],
    [
      ['--metrics-bind-address=127.0.0.1:8081'],
      /--metrics-bind-address 127\.0\.0\.1:8081 and --health-probe-bind-address :8081 use the same port/,
    ],
    [['--log-level=loud'], /--log-level must be one of debug, info, warn, error, got 'loud'/],
    [
      ['--monitor-image-pull-policy=Sometimes'],
      /--monitor-image-pull-policy must be one of Always, IfNotPresent, Never/,
    ],
    [
      ['--monitor-image-pull-secrets=Bad_Name'],
      /--monitor-image-pull-secrets: 'Bad_Name' is not a valid Kubernetes object name/,
    ],
    [['--monitor-name-prefix=' + 'x'.repeat(41)], /--monitor-name-prefix: .* at most 40/],
    [['--monitor-priority-class=UPPER'], /--monitor-priority-class: 'UPPER' is not a valid/],
    [['--monitor-resources={'], /--monitor-resources: not JSON/],
    [['--monitor-resources=[]'], /must be a JSON object with "requests" and\/or "limits"/],
    [['--monitor-resources={"request":{}}'], /unknown key "request"/],
    [['--monitor-resources={"limits":{"gpu":"1"}}'], /unknown resource "gpu" in limits/],
    [['--monitor-resources={"limits":{"memory":"lots"}}'], /limits\.memory is not a quantity/],
    [['--monitor-resources={"limits":[]}'], /"limits" must be an object/],
    [['--monitor-resources=' + ' '.repeat(3000)], /longer than 2048 characters/],
  ];
  for (const [args, message] of bad) {
    it(`refuses ${args.join(' ').slice(0, 80)}`, () =>
      assert.throws(() => parseOperatorArgs(args, {}), message));
  }
});

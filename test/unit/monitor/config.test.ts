import assert from 'node:assert/strict';
import {
  ConfigError,
  parseEnvironment,
  parseSettings,
  parseSettingsText,
} from '../../../src/monitor/config.js';

const valid = {
  policy: 'compute-hosts',
  inspectorUrl: 'http://127.0.0.1:12345/events',
  intervalMilliseconds: 100,
  timeoutMilliseconds: 100,
  failureThreshold: 2,
  successThreshold: 2,
  peers: 3,
  interfaces: ['eth0'],
  heartbeatSeconds: 5,
  hosts: [
    { name: 'node-a', address: '198.18.0.2' },
    { name: 'node-b', address: '198.18.0.3' },
  ],
};

function rejects(raw: unknown, message: string | RegExp, override?: string): void {
  assert.throws(
    () => parseSettings(raw, override),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    },
  );
}

describe('monitor config', () => {
  it('accepts the documented shape and keeps every value', () => {
    const { settings, warnings } = parseSettings(valid);
    assert.deepEqual(warnings, []);
    assert.equal(settings.policy, 'compute-hosts');
    assert.equal(settings.intervalMilliseconds, 100);
    assert.deepEqual(settings.interfaces, ['eth0']);
    assert.deepEqual(settings.hosts, valid.hosts);
    assert.equal(settings.deliveryTimeoutMilliseconds, 1000);
    assert.equal(settings.maxBackoffMilliseconds, 2000);
  });

  it('fills defaults for optional settings', () => {
    const { settings } = parseSettings({ inspectorUrl: 'http://127.0.0.1:1/events', hosts: [] });
    // The same defaults as the FaultPolicy schema.
    assert.equal(settings.intervalMilliseconds, 30);
    assert.equal(settings.timeoutMilliseconds, 15);
    assert.equal(settings.failureThreshold, 2);
    assert.equal(settings.successThreshold, 2);
    assert.equal(settings.peers, 3);
    assert.equal(settings.heartbeatSeconds, 5);
    assert.deepEqual(settings.interfaces, []);
  });

  it('names the setting and the value that is out of range', () => {
    rejects(
      { ...valid, intervalMilliseconds: 5 },
      'intervalMilliseconds must be an integer 10..60000, got 5',
    );
    rejects(
      { ...valid, intervalMilliseconds: 100.5 },
      'intervalMilliseconds must be an integer 10..60000, got 100.5',
    );
    rejects(
      { ...valid, timeoutMilliseconds: '100' },
      'timeoutMilliseconds must be an integer 1..60000, got "100"',
    );
    rejects({ ...valid, failureThreshold: 0 }, 'failureThreshold must be an integer 1..100, got 0');
    rejects({ ...valid, successThreshold: -1 }, 'successThreshold must be an integer 1..100, got -1');
    rejects({ ...valid, peers: 0 }, 'peers must be an integer 1..100, got 0');
    rejects({ ...valid, heartbeatSeconds: 0 }, 'heartbeatSeconds must be an integer 1..3600, got 0');
  });

  it('rejects a bad inspector URL, from the file or from the environment', () => {
    rejects({ ...valid, inspectorUrl: 'ftp://x/events' }, /^inspectorUrl must be an http or https URL/);
    rejects({ ...valid, inspectorUrl: undefined }, 'inspectorUrl must be an http or https URL, got nothing');
    rejects(valid, /^DOCTOR_INSPECTOR_URL must be an http or https URL/, 'not a url');
    assert.equal(
      parseSettings({ ...valid, inspectorUrl: undefined }, 'https://x/events').settings.inspectorUrl,
      'https://x/events',
    );
  });

  it('validates hosts: shape, names, addresses, duplicates', () => {
    rejects({ ...valid, hosts: 'node-a' }, 'hosts must be a list, got "node-a"');
    rejects({ ...valid, hosts: [null] }, /^hosts\[0\] must be an object/);
    rejects(
      { ...valid, hosts: [{ name: 'Node_A', address: '198.18.0.2' }] },
      /^hosts\[0\]\.name must be a Kubernetes node name/,
    );
    rejects(
      { ...valid, hosts: [{ name: 'a', address: '198.18.0.300' }] },
      /^hosts\[0\]\.address must be an IPv4 or IPv6 address/,
    );
    rejects(
      {
        ...valid,
        hosts: [
          { name: 'a', address: '198.18.0.2' },
          { name: 'a', address: '198.18.0.3' },
        ],
      },
      'hosts[1].name "a" appears twice',
    );
    rejects(
      {
        ...valid,
        hosts: [
          { name: 'a', address: '198.18.0.2' },
          { name: 'b', address: '198.18.0.2' },
        ],
      },
      'hosts[1].address "198.18.0.2" appears twice',
    );
    assert.equal(
      parseSettings({ ...valid, hosts: [{ name: 'v6', address: 'fd00::1' }] }).settings.hosts[0]?.address,
      'fd00::1',
    );
  });

  it('validates interface names so they cannot escape the sysfs directory', () => {
    rejects({ ...valid, interfaces: ['../etc'] }, /^interfaces\[0\] must be a network interface name/);
    rejects({ ...valid, interfaces: ['..'] }, /^interfaces\[0\] must be a network interface name/);
    rejects({ ...valid, interfaces: ['averyveryverylongname'] }, /^interfaces\[0\]/);
    rejects({ ...valid, interfaces: 'eth0' }, /^interfaces must be a list/);
    rejects({ ...valid, interfaces: ['eth0', 'eth0'] }, 'interfaces[1] "eth0" appears twice');
  });

  it('warns about unknown keys instead of failing (a newer operator may add some)', () => {
    const { warnings } = parseSettings({ ...valid, somethingNew: 1, addressType: 'InternalIP' });
    assert.deepEqual(warnings, ['unknown setting somethingNew ignored']);
  });

  it('rejects non-objects and names the file on a JSON syntax error', () => {
    rejects([], /^the configuration must be a JSON object/);
    assert.throws(
      () => parseSettingsText('{', '/etc/doctor/monitor.json'),
      /^ConfigError: \/etc\/doctor\/monitor.json is not valid JSON/,
    );
  });

  describe('environment', () => {
    it('requires NODE_NAME', () => {
      assert.throws(() => parseEnvironment({}), /NODE_NAME must be set/);
      assert.throws(
        () => parseEnvironment({ NODE_NAME: 'Bad Name' }),
        /NODE_NAME must be a Kubernetes node name/,
      );
    });

    it('reads the documented variables with their defaults; the flag wins over the variable', () => {
      const env = parseEnvironment({ NODE_NAME: 'node-a', DOCTOR_MONITOR_CONFIG: '/cfg.json' });
      assert.deepEqual(env, {
        nodeName: 'node-a',
        configPath: '/cfg.json',
        inspectorUrl: undefined,
        tokenFile: '/var/run/secrets/doctor/token',
        netClassDir: '/sys/class/net',
      });
      const flagged = parseEnvironment(
        {
          NODE_NAME: 'node-a',
          DOCTOR_MONITOR_CONFIG: '/cfg.json',
          DOCTOR_TOKEN_FILE: '/t',
          DOCTOR_INSPECTOR_URL: 'http://i/events',
        },
        '/flag.json',
      );
      assert.equal(flagged.configPath, '/flag.json');
      assert.equal(flagged.tokenFile, '/t');
      assert.equal(flagged.inspectorUrl, 'http://i/events');
      assert.throws(
        () => parseEnvironment({ NODE_NAME: 'a', DOCTOR_INSPECTOR_URL: 'nope' }),
        /DOCTOR_INSPECTOR_URL/,
      );
    });
  });
});

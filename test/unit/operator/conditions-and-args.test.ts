import assert from 'node:assert/strict';
import { microTime } from '../../../src/runtime/api-errors.js';
import { parseOperatorArgs } from '../../../src/operator/command.js';
import { setCondition } from '../../../src/operator/conditions.js';

describe('status conditions', function () {
  it('keeps lastTransitionTime while the status stays, changes it when the status flips', function () {
    const t1 = new Date('2026-01-01T00:00:00Z');
    const t2 = new Date('2026-01-01T00:05:00Z');
    const first = setCondition(
      undefined,
      { type: 'Ready', status: 'False', reason: 'A', message: 'a' },
      1,
      t1,
    );
    const same = setCondition(first, { type: 'Ready', status: 'False', reason: 'B', message: 'b' }, 2, t2);
    assert.equal(same[0]!.lastTransitionTime, '2026-01-01T00:00:00Z');
    assert.equal(same[0]!.reason, 'B');
    assert.equal(same[0]!.observedGeneration, 2);
    const flipped = setCondition(same, { type: 'Ready', status: 'True', reason: 'C', message: 'c' }, 2, t2);
    assert.equal(flipped[0]!.lastTransitionTime, '2026-01-01T00:05:00Z');
    assert.equal(flipped.length, 1);
  });

  it('formats Lease times with exactly six fractional digits', function () {
    assert.equal(microTime(new Date('2026-01-01T00:00:00.123Z')), '2026-01-01T00:00:00.123000Z');
  });
});

describe('doctor operator arguments', function () {
  it('uses documented defaults and the pod namespace', function () {
    const parsed = parseOperatorArgs([], { POD_NAMESPACE: 'ops' });
    assert.notEqual(parsed, 'help');
    if (parsed === 'help') return;
    assert.equal(parsed.options.namespace, 'ops');
    assert.equal(parsed.options.inspectorUrl, 'http://doctor-operator-inspector.ops.svc:12345/events');
    assert.equal(parsed.options.leaseDurationSeconds, 15);
    assert.equal(parsed.options.leaderElection, true);
    assert.equal(parsed.options.inspectorLimits?.maxFutureSkewMs, 300_000);
  });

  it('reads the inspector limits', function () {
    const parsed = parseOperatorArgs(
      ['--inspector-max-clock-skew', '30', '--inspector-rate', '7', '--inspector-max-events', '9'],
      {},
    );
    if (parsed === 'help') return assert.fail('help');
    assert.deepEqual(
      [parsed.options.inspectorLimits?.maxFutureSkewMs, parsed.options.inspectorLimits?.requestsPerSecond],
      [30_000, 7],
    );
    assert.equal(parsed.options.inspectorLimits?.requestBurst, 14);
    assert.equal(parsed.options.inspectorLimits?.maxEvents, 9);
  });

  const bad: [string[], RegExp][] = [
    [['--workers', '0'], /--workers must be an integer >= 1/],
    [['--leader-elect=maybe'], /--leader-elect must be true or false, got 'maybe'/],
    [['--leader-elect', 'maybe'], /Unexpected argument 'maybe'/],
    [
      ['--lease-duration', '5', '--renew-deadline', '5'],
      /--renew-deadline must be shorter than --lease-duration/,
    ],
    [['--inspector-url', 'not a url'], /--inspector-url must be an absolute URL/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['--inspector-max-clock-skew=-1'], /--inspector-max-clock-skew must be an integer >= 0/],
    [['--inspector-rate', '0'], /--inspector-rate must be an integer >= 1/],
  ];
  for (const [args, message] of bad) {
    it(`refuses ${args.join(' ')}`, () => assert.throws(() => parseOperatorArgs(args, {}), message));
  }
});

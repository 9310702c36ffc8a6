// Consumers' answers are hostile input: every field is checked and a bad answer is refused whole.
import assert from 'node:assert/strict';
import { AnswerError, maxAnswerServers, parseAnswer } from '../../../src/maintenance/answers.js';
import { wantedTrigger } from '../../../src/maintenance/manager.js';
import { failureDuringMaintenance } from '../../../src/maintenance/fault-watch.js';

describe('maintenance answers', () => {
  it('reads ACK and NACK, the servers named and the actions per server', () => {
    assert.deepEqual(parseAnswer({ session_id: 's', state: 'NACK_PLANNED_MAINTENANCE' }), {
      sessionId: 's',
      verdict: 'NACK',
      actions: {},
    });
    assert.deepEqual(
      parseAnswer({
        session_id: 's',
        state: 'ACK_PLANNED_MAINTENANCE',
        instance_ids: ['a', 'b', 'a'],
        instance_actions: { a: 'MIGRATE', b: 'OWN_ACTION', c: 'LIVE_MIGRATE' },
      }),
      { sessionId: 's', verdict: 'ACK', serverIds: ['a', 'b'], actions: { a: 'cold', b: 'none', c: 'live' } },
    );
  });

  it('refuses anything else with a message naming the problem', () => {
    const cases: [unknown, RegExp][] = [
      [[], /JSON object/],
      [{ session_id: 's', state: 'ACK_PLANNED_MAINTENANCE', extra: 1 }, /unknown field "extra"/],
      [{ state: 'ACK_PLANNED_MAINTENANCE' }, /session_id/],
      [{ session_id: 's', state: 'MAYBE' }, /state must be/],
      [{ session_id: 's', state: 'ACK_PLANNED_MAINTENANCE', instance_ids: [] }, /instance_ids/],
      [{ session_id: 's', state: 'ACK_PLANNED_MAINTENANCE', instance_ids: ['../x'] }, /instance_ids\[0\]/],
      [
        {
          session_id: 's',
          state: 'ACK_PLANNED_MAINTENANCE',
          instance_ids: Array(maxAnswerServers + 1).fill('a'),
        },
        /1 to 2000/,
      ],
      [
        { session_id: 's', state: 'ACK_PLANNED_MAINTENANCE', instance_actions: { a: 'EVACUATE' } },
        /must be one of/,
      ],
      [
        { session_id: 's', state: 'NACK_PLANNED_MAINTENANCE', instance_actions: { a: 'MIGRATE' } },
        /ACK_PLANNED/,
      ],
      [{ session_id: 's', state: 'ACK_PLANNED_MAINTENANCE', instance_actions: ['a'] }, /an object/],
    ];
    for (const [body, message] of cases) {
      assert.throws(
        () => parseAnswer(body),
        (err: unknown) => err instanceof AnswerError && message.test(err.message),
      );
    }
  });

  it('starts maintenance from the spec, or from a cordon when the policy follows it', () => {
    const policy = { followNodeCordon: true, maxParallelMigrations: 1, migrationTimeoutSeconds: 10 };
    const spec = (enabled: boolean) => ({ enabled });
    assert.equal(wantedTrigger({ spec: spec(false), cordoned: false, policy }), undefined);
    assert.equal(wantedTrigger({ spec: spec(true), cordoned: false, policy }), 'spec');
    assert.equal(wantedTrigger({ spec: spec(false), cordoned: true, policy }), 'cordon');
    assert.equal(wantedTrigger({ spec: spec(true), cordoned: true, policy }), 'both');
    const ignoring = { ...policy, followNodeCordon: false };
    assert.equal(wantedTrigger({ spec: spec(false), cordoned: true, policy: ignoring }), undefined);
  });
});

describe('a failure during maintenance', () => {
  const observer = (node: string, reachable: boolean) => ({
    node,
    reachable,
    lastReportTime: '2026-01-01T00:00:00Z',
  });

  it('is said when every observer reports the host unreachable, and only then', () => {
    assert.equal(failureDuringMaintenance('h1', undefined), undefined);
    assert.equal(failureDuringMaintenance('h1', [observer('a', false), observer('b', true)]), undefined);
    assert.match(
      failureDuringMaintenance('h1', [observer('a', false), observer('b', false)]) ?? '',
      /h1 is in maintenance and every observer \(a, b\) reports it unreachable/,
    );
  });
});

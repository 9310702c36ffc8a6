import assert from 'node:assert/strict';
import { type NovaApi, resetServersToError } from '../../../src/openstack/nova-api.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('resetServersToError', () => {
  it('resets every server through any NovaApi and reports failures per server', async () => {
    const reset: string[] = [];
    const fake: Pick<NovaApi, 'resetServerToError'> = {
      async resetServerToError(id) {
        await tick();
        if (id === 'bad') throw new Error('compute POST /servers/bad/action: HTTP 404 itemNotFound: gone');
        reset.push(id);
      },
    };
    const ids = [...Array.from({ length: 300 }, (_, i) => `s${i}`), 'bad'];
    const outcomes = await resetServersToError(fake, ids, 10);
    assert.equal(outcomes.length, 301);
    assert.equal(reset.length, 300);
    const failed = outcomes.filter((o) => !o.ok);
    assert.deepEqual(
      failed.map((o) => [o.id, o.error]),
      [['bad', 'compute POST /servers/bad/action: HTTP 404 itemNotFound: gone']],
    );
  });
});

import assert from 'node:assert/strict';
import { WorkQueue } from '../../../src/runtime/workqueue.js';

describe('WorkQueue', function () {
  it('queues a waiting key once however often it is added', async function () {
    const queue = new WorkQueue();
    queue.add('a');
    queue.add('b');
    queue.add('a');
    assert.equal(queue.length, 2);
    assert.equal(await queue.get(), 'a');
    assert.equal(await queue.get(), 'b');
  });

  it('never hands a key being processed to a second worker, and requeues it if it changed meanwhile', async function () {
    const queue = new WorkQueue();
    queue.add('a');
    const key = await queue.get();
    queue.add('a'); // changed while processing
    assert.equal(queue.length, 0, 'not handed out while in flight');
    queue.done(key!);
    assert.equal(queue.length, 1);
    assert.equal(await queue.get(), 'a');
  });

  it('wakes a waiting worker when a key arrives', async function () {
    const queue = new WorkQueue();
    const pending = queue.get();
    queue.add('x');
    assert.equal(await pending, 'x');
    assert.equal(queue.inFlight, 1);
  });

  it('backs off exponentially per key up to the cap, and forget resets it', function () {
    const queue = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 50 });
    const delays = [1, 2, 3, 4, 5].map(() => {
      const d = queue.addRateLimited('k');
      queue.shutDown(); // cancel the timer; only the delay matters here
      return d;
    });
    assert.deepEqual(delays, [10, 20, 40, 50, 50]);
    queue.forget('k');
    assert.equal(queue.failuresOf('k'), 0);
  });

  it('adds a key after a delay, keeping the earlier deadline', async function () {
    const queue = new WorkQueue();
    queue.addAfter('late', 20);
    queue.addAfter('late', 10_000);
    assert.equal(queue.length, 0);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(queue.length, 1);
    queue.shutDown();
  });

  it('releases waiting workers with undefined on shutdown and ignores later adds', async function () {
    const queue = new WorkQueue();
    const pending = queue.get();
    queue.shutDown();
    assert.equal(await pending, undefined);
    queue.add('a');
    assert.equal(queue.length, 0);
  });
});

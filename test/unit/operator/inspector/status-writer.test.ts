import assert from 'node:assert/strict';
import {
  CoalescingStatusWriter,
  composeMergePatches,
} from '../../../../src/runtime/coalescing-status-writer.js';
import { createLogger } from '../../../../src/observability/logger.js';

const quiet = createLogger('test', 'error');

describe('HostHealth status writer', function () {
  it('composes merge patches as the API server would apply them in turn', function () {
    assert.deepEqual(
      composeMergePatches(
        { state: 'Suspect', timeline: { T01: 'a' }, observers: [1] },
        { state: 'Down', timeline: { T03: 'c' }, observers: [2] },
      ),
      { state: 'Down', timeline: { T01: 'a', T03: 'c' }, observers: [2] },
    );
  });

  it('writes one host at a time, in order, merging what arrives during a write', async function () {
    const written: [string, Record<string, unknown>][] = [];
    let release: () => void = () => undefined;
    const writer = new CoalescingStatusWriter(async (name, status) => {
      written.push([name, status]);
      if (written.length === 1) await new Promise<void>((r) => (release = r));
    }, quiet);
    const first = writer.write('h1', { state: 'Suspect' });
    await new Promise((r) => setImmediate(r));
    const second = writer.write('h1', { state: 'Down', message: 'm' });
    const third = writer.write('h1', { timeline: { T03: 't' } });
    release();
    await Promise.all([first, second, third]);
    assert.deepEqual(written, [
      ['h1', { state: 'Suspect' }],
      ['h1', { state: 'Down', message: 'm', timeline: { T03: 't' } }],
    ]);
  });

  it('writes a patch queued in the turn an awaited write resolved (the drain that ended does not swallow it)', async function () {
    const written: Record<string, unknown>[] = [];
    const writer = new CoalescingStatusWriter((_name, status) => {
      written.push(status);
      return Promise.resolve();
    }, quiet);
    await writer.write('h1', { state: 'Suspect' });
    const next = writer.write('h1', { state: 'Down' });
    const landed = await Promise.race([
      next.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 500)),
    ]);
    assert.ok(landed, 'the second write never went out');
    assert.deepEqual(written, [{ state: 'Suspect' }, { state: 'Down' }]);
  });

  it('lets a queue hook take parts out of each patch in call order, before patches are merged', async function () {
    const seen: Record<string, unknown>[] = [];
    const written: Record<string, unknown>[] = [];
    const writer = new CoalescingStatusWriter(
      (_name, status) => {
        written.push(status);
        return Promise.resolve();
      },
      quiet,
      undefined,
      (_name, status) => {
        seen.push(status);
        const { secret: _secret, ...rest } = status;
        return rest;
      },
    );
    await Promise.all([writer.write('h1', { state: 'Down', secret: 1 }), writer.write('h1', { secret: 2 })]);
    assert.deepEqual(seen, [{ state: 'Down', secret: 1 }, { secret: 2 }]);
    assert.ok(written.every((w) => !('secret' in w)));
  });

  it('retries a failed write until it succeeds, carrying patches queued meanwhile', async function () {
    const written: Record<string, unknown>[] = [];
    let failures = 0;
    const writer = new CoalescingStatusWriter(
      (_name, status) => {
        if (failures < 7) {
          failures++;
          if (failures === 2) void writer.write('h1', { timeline: { T03: 't' } });
          return Promise.reject(Object.assign(new Error('503 unavailable'), { code: 503 }));
        }
        written.push(status);
        return Promise.resolve();
      },
      quiet,
      { baseMs: 1, capMs: 4 },
    );
    await writer.write('h1', { state: 'Down' });
    await writer.flush();
    assert.equal(failures, 7, 'more tries than the five it used to give up after');
    assert.deepEqual(written, [{ state: 'Down', timeline: { T03: 't' } }]);
  });

  it('gives up only when the HostHealth is gone', async function () {
    let calls = 0;
    const writer = new CoalescingStatusWriter(
      () => {
        calls++;
        return Promise.reject(Object.assign(new Error('not found'), { code: 404 }));
      },
      quiet,
      { baseMs: 1, capMs: 1 },
    );
    await assert.rejects(writer.write('h1', { state: 'Down' }), /not found/);
    assert.equal(calls, 1);
  });

  it('drops retries when this replica stops leading', async function () {
    let calls = 0;
    const writer = new CoalescingStatusWriter(
      () => {
        calls++;
        return Promise.reject(new Error('connection reset'));
      },
      quiet,
      { baseMs: 5, capMs: 5 },
    );
    const write = writer.write('h1', { state: 'Down' });
    await new Promise((r) => setTimeout(r, 20));
    writer.abandon('stopped leading');
    await assert.rejects(write, /abandoned/);
    await writer.flush();
    const after = calls;
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(calls, after, 'no write after abandon()');
  });
});

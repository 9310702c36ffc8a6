// The TokenReview cache with a plain review function and a test clock: reviewed tokens survive an API
// outage until they expire, new ones fail closed, and unknown bearers cannot cost a review each.
import assert from 'node:assert/strict';
import type { AuthResult } from '../../../../src/intake/authenticator.js';
import {
  ReviewCache,
  reviewFreshMs,
  tokenExpiry,
  type ReviewAnswer,
} from '../../../../src/intake/review-cache.js';

const accepted: AuthResult = { ok: true, identity: { kind: 'monitor', name: 'sa', observer: 'n1' } };
const refused: AuthResult = { ok: false, status: 401, error: 'not accepted' };

function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256' })}.${part(claims)}.signature`;
}

describe('inspector TokenReview cache', function () {
  let clock: number;
  let reviews: string[];
  let outage: boolean;
  let answer: (token: string) => ReviewAnswer;

  const review = (token: string): Promise<ReviewAnswer> => {
    reviews.push(token);
    if (outage) return Promise.reject(new Error('connect ECONNREFUSED'));
    return Promise.resolve(answer(token));
  };
  const cache = (options = {}) =>
    new ReviewCache(review, (err) => (err as Error).message, { now: () => clock, ...options });

  beforeEach(() => {
    clock = 1_000_000;
    reviews = [];
    outage = false;
    answer = (token) => ({
      result: token.startsWith('good') ? accepted : refused,
      tokenExpiresAt: clock + 3_600_000,
    });
  });

  it('asks once per token while the answer is fresh', async function () {
    const c = cache({ freshMs: 60_000 });
    assert.deepEqual(await c.authenticate('good-1'), accepted);
    clock += 59_000;
    assert.deepEqual(await c.authenticate('good-1'), accepted);
    assert.equal(reviews.length, 1);
    clock += 2_000;
    await c.authenticate('good-1');
    assert.equal(reviews.length, 2, 'asked again once stale');
  });

  it('re-reviews an accepted token every two minutes by default, not more often', async function () {
    const c = cache();
    await c.authenticate('good-1');
    clock += reviewFreshMs - 1_000;
    await c.authenticate('good-1');
    assert.equal(reviews.length, 1, 'fresh for two minutes');
    clock += 2_000;
    await c.authenticate('good-1');
    assert.equal(reviews.length, 2, 'asked again once stale');
    assert.equal(reviewFreshMs, 120_000);
  });

  it('answers a stale accepted token at once and re-reviews it in the background, apart from new tokens', async function () {
    let release: () => void = () => undefined;
    let gate = Promise.resolve();
    let verdict: AuthResult = accepted;
    const c = new ReviewCache(
      async (token) => {
        reviews.push(token);
        await gate;
        return { result: verdict };
      },
      String,
      { now: () => clock, freshMs: 1_000, maxInFlight: 1 },
    );
    assert.ok((await c.authenticate('good-1')).ok);
    gate = new Promise<void>((r) => (release = r));
    clock += 2_000;
    verdict = refused;
    // The re-review hangs: the request is still answered, and only one re-review runs for the token.
    assert.ok((await c.authenticate('good-1')).ok);
    assert.ok((await c.authenticate('good-1')).ok);
    assert.deepEqual(reviews, ['good-1', 'good-1']);
    // A new token is not crowded out by the background re-review (maxInFlight 1).
    const fresh = c.authenticate('good-2');
    release();
    assert.deepEqual(await fresh, refused, 'reviewed, not refused as busy');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(await c.authenticate('good-1'), refused, 'the refusal applies from the next request');
  });

  it('keeps accepting a reviewed token through an API outage until the token expires', async function () {
    const c = cache({ freshMs: 60_000 });
    answer = () => ({ result: accepted, tokenExpiresAt: clock + 600_000 });
    assert.ok((await c.authenticate('good-1')).ok);
    outage = true;
    clock += 300_000;
    assert.ok((await c.authenticate('good-1')).ok, 'accepted during the outage');
    clock += 300_001;
    const expired = await c.authenticate('good-1');
    assert.ok(!expired.ok && expired.status === 503, 'not beyond the token expiry');
  });

  it('fails closed for a token never reviewed during an outage (503, retry)', async function () {
    const c = cache();
    outage = true;
    const result = await c.authenticate('good-new');
    assert.ok(!result.ok);
    assert.equal(result.status, 503);
    assert.match(result.error, /could not verify the token: connect ECONNREFUSED/);
  });

  it('bounds an outage without a token expiry by maxStaleMs', async function () {
    const c = cache({ freshMs: 1_000, maxStaleMs: 10_000 });
    answer = () => ({ result: accepted });
    assert.ok((await c.authenticate('good-1')).ok);
    outage = true;
    clock += 9_000;
    assert.ok((await c.authenticate('good-1')).ok);
    clock += 2_000;
    assert.ok(!(await c.authenticate('good-1')).ok);
  });

  it('remembers refusals, so a repeated bad token costs no review', async function () {
    const c = cache();
    for (let i = 0; i < 10; i++) assert.deepEqual(await c.authenticate('bad-1'), refused);
    assert.equal(reviews.length, 1);
  });

  it('rations reviews of unknown tokens: a flood of random bearers costs a bounded number', async function () {
    const c = cache({ reviewsPerSecond: 5, reviewBurst: 10 });
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => c.authenticate(`bad-${i}`)));
    assert.ok(reviews.length <= 10, `${reviews.length} reviews for 1000 random tokens`);
    assert.ok(results.every((r) => !r.ok));
    assert.ok(results.some((r) => !r.ok && r.status === 503 && /too many unverified tokens/.test(r.error)));
    clock += 1_000;
    await Promise.all(Array.from({ length: 100 }, (_, i) => c.authenticate(`bad-more-${i}`)));
    assert.ok(reviews.length <= 15, `${reviews.length} reviews after one more second`);
  });

  it('bounds the reviews in flight and shares one review between identical tokens', async function () {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let inFlight = 0;
    let most = 0;
    const slow = new ReviewCache(
      async (token) => {
        reviews.push(token);
        most = Math.max(most, ++inFlight);
        await gate;
        inFlight--;
        return { result: accepted };
      },
      String,
      { now: () => clock, maxInFlight: 3, reviewBurst: 1000 },
    );
    const pending = [
      ...Array.from({ length: 5 }, () => slow.authenticate('good-same')),
      ...Array.from({ length: 10 }, (_, i) => slow.authenticate(`good-${i}`)),
    ];
    release();
    const results = await Promise.all(pending);
    assert.equal(most, 3);
    assert.equal(reviews.filter((t) => t === 'good-same').length, 1);
    assert.ok(results.slice(0, 5).every((r) => r.ok));
  });

  it('forgets the oldest answers beyond maxEntries', async function () {
    const c = cache({ maxEntries: 5, reviewBurst: 1000 });
    for (let i = 0; i < 20; i++) await c.authenticate(`bad-${i}`);
    for (let i = 0; i < 20; i++) await c.authenticate(`good-${i}`);
    assert.deepEqual(c.size, { accepted: 5, refused: 5 });
  });

  it("reads a token's expiry claim, and nothing from what is not a JWT", function () {
    assert.equal(tokenExpiry(jwt({ exp: 1_700_000_000 })), 1_700_000_000_000);
    assert.equal(tokenExpiry('not-a-jwt'), undefined);
    assert.equal(tokenExpiry('a.%%%.c'), undefined);
    assert.equal(tokenExpiry(jwt({ exp: 'soon' })), undefined);
  });
});

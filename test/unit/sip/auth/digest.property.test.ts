import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseAuthValue, toDigestChallenge } from '../../../../src/sip/message/index.js';
import {
  type DigestAlgorithm,
  type DigestQop,
  DIGEST_ALGORITHMS,
  DigestNonces,
  answerChallenge,
  createChallenge,
  verifyCredentials,
} from '../../../../src/sip/auth/index.js';

const RUNS = { numRuns: 100 };
const LIFETIME = 60_000;

/** Text a user could type: printable ASCII (quotes and backslashes included) and some non-ASCII. */
const text = (minLength: number): fc.Arbitrary<string> =>
  fc.string({
    unit: fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
      { weight: 1, arbitrary: fc.constantFrom('ä', 'ø', '€', 'ß', '中', '😀') },
    ),
    minLength,
    maxLength: 16,
  });

const token = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-.'.split('')), minLength: 1, maxLength: 12 });

const scenarioArb = fc.record(
  {
    username: text(1),
    password: text(0),
    realm: text(1),
    method: fc.constantFrom('REGISTER', 'INVITE', 'BYE', 'OPTIONS', 'SUBSCRIBE', 'MESSAGE'),
    uri: fc.tuple(token, token).map(([u, h]) => `sip:${u}@${h}`),
    algorithm: fc.constantFrom<DigestAlgorithm>(...DIGEST_ALGORITHMS),
    qop: fc.constantFrom<readonly DigestQop[] | false>(['auth'], ['auth-int'], ['auth', 'auth-int'], false),
    body: fc.string({ maxLength: 40 }),
    cnonce: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'.split('')), minLength: 8, maxLength: 32 }),
    nc: fc.integer({ min: 1, max: 0xffffffff }),
    opaque: fc.option(token, { nil: undefined }),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  },
  { noNullPrototype: true },
);
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function setup(s: Scenario) {
  const clock = { t: 1_700_000_000_000 + s.seed };
  let n = s.seed;
  const nonces = new DigestNonces({
    secret: `secret-${s.seed}-padding-padding`,
    lifetimeMs: LIFETIME,
    now: () => clock.t,
    randomBytes: (size) => Buffer.alloc(size, ++n % 256),
  });
  const challenge = createChallenge(
    { realm: s.realm, algorithm: s.algorithm, qop: s.qop, ...(s.opaque === undefined ? {} : { opaque: s.opaque }) },
    nonces,
  );
  const verify = (header: string | undefined, password = s.password) =>
    verifyCredentials(header, {
      method: s.method,
      realm: s.realm,
      nonces,
      requestUri: s.uri,
      body: s.body,
      ...(s.opaque === undefined ? {} : { opaque: s.opaque }),
      lookupPassword: (u, r) => (u === s.username && r === s.realm ? password : undefined),
    });
  const answer = (password: string, challengeValue = challenge) =>
    answerChallenge(challengeValue, {
      username: s.username,
      password,
      method: s.method,
      uri: s.uri,
      body: s.body,
      cnonce: s.cnonce,
      nc: s.nc,
    });
  return { clock, nonces, challenge, verify, answer };
}

/** A -sess algorithm needs qop (the cnonce comes with it): such challenges are not answerable. */
const answerable = (s: Scenario): boolean => !(s.qop === false && s.algorithm.endsWith('-sess'));

describe('digest properties', () => {
  it('the answer to our challenge verifies with the right password', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb.filter(answerable), async (s) => {
        const { verify, answer } = setup(s);
        const header = answer(s.password);
        assert.ok(header !== undefined);
        const r = await verify(header);
        assert.ok(r.ok, r.ok ? '' : r.reason);
        assert.equal(r.username, s.username);
        assert.equal(r.algorithm, s.algorithm);
      }),
      RUNS,
    );
  });

  it('and never with a wrong one', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb.filter(answerable), text(0), async (s, wrong) => {
        fc.pre(wrong !== s.password);
        const { verify, answer } = setup(s);
        const r = await verify(answer(wrong));
        assert.deepEqual(r, { ok: false, reason: 'bad-response', username: s.username });
      }),
      RUNS,
    );
  });

  it('a tampered nonce is refused, even with a response computed for it', async () => {
    await fc.assert(
      fc.asyncProperty(
        scenarioArb.filter(answerable),
        fc.nat(39),
        fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('')),
        async (s, at, ch) => {
          const { verify, answer, challenge } = setup(s);
          const nonce = toDigestChallenge(parseAuthValue(challenge)!)!.nonce;
          fc.pre(nonce[at] !== ch);
          const tampered = nonce.slice(0, at) + ch + nonce.slice(at + 1);
          const r = await verify(answer(s.password, challenge.replace(nonce, tampered)));
          assert.equal(r.ok ? 'ok' : r.reason, 'bad-nonce');
        },
      ),
      RUNS,
    );
  });

  it('a nonce past its lifetime is refused as stale; within it, accepted', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb.filter(answerable), fc.integer({ min: 0, max: 3 * LIFETIME }), async (s, elapsed) => {
        const { verify, answer, clock } = setup(s);
        const header = answer(s.password);
        clock.t += elapsed;
        const r = await verify(header);
        assert.equal(r.ok ? 'ok' : r.reason, elapsed > LIFETIME ? 'stale-nonce' : 'ok');
      }),
      RUNS,
    );
  });

  it('the same credentials twice: the second is a replay whenever qop was used', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb.filter(answerable), async (s) => {
        const { verify, answer } = setup(s);
        const header = answer(s.password);
        assert.ok((await verify(header)).ok);
        const again = await verify(header);
        assert.equal(again.ok ? 'ok' : again.reason, s.qop === false ? 'ok' : 'nc-replay');
      }),
      RUNS,
    );
  });
});

describe('nonce-count window property', () => {
  it('useCount agrees with a model: a count passes once, and only within the window below the highest', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 60 }), (window, counts) => {
        const nonces = new DigestNonces({ secret: 'sixteen-bytes-ok', replayWindow: window });
        const nonce = nonces.issue('r');
        const seen = new Set<number>();
        let max = 0;
        for (const nc of counts) {
          const expected = seen.has(nc) || nc <= max - window ? 'replay' : 'ok';
          assert.equal(nonces.useCount(nonce, nc), expected, `nc=${nc} max=${max}`);
          if (expected === 'ok') {
            seen.add(nc);
            max = Math.max(max, nc);
          }
        }
      }),
      RUNS,
    );
  });
});

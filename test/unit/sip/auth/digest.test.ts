import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAuthValue, toDigestChallenge, toDigestCredentials } from '../../../../src/sip/message/index.js';
import {
  type DigestAlgorithm,
  type NonceVerifier,
  type VerifyOptions,
  type VerifyResult,
  DigestNonces,
  answerChallenge,
  createChallenge,
  createChallenges,
  digestHA1,
  digestHash,
  digestResponse,
  failureResponse,
  parseDigestAlgorithm,
  pickChallenge,
  verifyCredentials,
} from '../../../../src/sip/auth/index.js';

// ───────────── RFC 2617 §3.5 ─────────────
const RFC2617 = {
  challenge:
    'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
  username: 'Mufasa',
  password: 'Circle Of Life',
  realm: 'testrealm@host.com',
  nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
  uri: '/dir/index.html',
  cnonce: '0a4f113b',
  response: '6629fae49393a05397450978507c4ef1',
} as const;

// ───────────── RFC 7616 §3.9.1 ─────────────
const RFC7616 = {
  challenge: (alg: string) =>
    `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${alg}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`,
  username: 'Mufasa',
  password: 'Circle of Life',
  realm: 'http-auth@example.org',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
  uri: '/dir/index.html',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  md5: '8ca523f5e9506fed4657c9700eebdbec',
  sha256: '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
} as const;

/** A verifier that takes the RFC examples' nonces as ours. */
const acceptAnyNonce: NonceVerifier = { check: () => 'fresh', useCount: () => 'ok' };

describe('RFC test vectors', () => {
  it('RFC 2617 §3.5: Mufasa / "Circle Of Life" gives 6629fae4…', () => {
    const ha1 = digestHA1('MD5', RFC2617.username, RFC2617.realm, RFC2617.password);
    assert.equal(
      digestResponse({
        algorithm: 'MD5',
        ha1,
        nonce: RFC2617.nonce,
        method: 'GET',
        uri: RFC2617.uri,
        qop: 'auth',
        nc: '00000001',
        cnonce: RFC2617.cnonce,
      }),
      RFC2617.response,
    );
    assert.equal(
      answerChallenge(RFC2617.challenge, {
        username: RFC2617.username,
        password: RFC2617.password,
        method: 'GET',
        uri: RFC2617.uri,
        cnonce: RFC2617.cnonce,
        nc: 1,
      }),
      'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ' +
        'uri="/dir/index.html", response="6629fae49393a05397450978507c4ef1", algorithm=MD5, cnonce="0a4f113b", ' +
        'opaque="5ccc069c403ebaf9f0171e9517f40e41", qop=auth, nc=00000001',
    );
  });

  for (const [alg, expected] of [
    ['MD5', RFC7616.md5],
    ['SHA-256', RFC7616.sha256],
  ] as const) {
    it(`RFC 7616 §3.9.1 ${alg}: response ${expected.slice(0, 8)}…`, () => {
      const header = answerChallenge(RFC7616.challenge(alg), {
        username: RFC7616.username,
        password: RFC7616.password,
        method: 'GET',
        uri: RFC7616.uri,
        cnonce: RFC7616.cnonce,
        nc: 1,
      });
      assert.ok(header !== undefined);
      const creds = toDigestCredentials(parseAuthValue(header)!);
      assert.deepEqual(creds, {
        username: 'Mufasa',
        realm: RFC7616.realm,
        nonce: RFC7616.nonce,
        uri: RFC7616.uri,
        response: expected,
        algorithm: alg,
        cnonce: RFC7616.cnonce,
        opaque: RFC7616.opaque,
        qop: 'auth',
        nc: '00000001',
      });
    });

    it(`RFC 7616 §3.9.1 ${alg}: the server accepts the RFC's Authorization header`, async () => {
      // The header as printed in the RFC (its line folding undone).
      const authorization =
        `Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=${alg}, ` +
        `nonce="${RFC7616.nonce}", nc=00000001, cnonce="${RFC7616.cnonce}", qop=auth, response="${expected}", ` +
        `opaque="${RFC7616.opaque}"`;
      const ok = await verifyCredentials(authorization, {
        method: 'GET',
        realm: RFC7616.realm,
        nonces: acceptAnyNonce,
        requestUri: '/dir/index.html',
        opaque: RFC7616.opaque,
        lookupPassword: (u) => (u === 'Mufasa' ? 'Circle of Life' : undefined),
      });
      assert.deepEqual(ok, { ok: true, username: 'Mufasa', realm: RFC7616.realm, algorithm: alg, qop: 'auth' });
      const wrong = await verifyCredentials(authorization, {
        method: 'GET',
        realm: RFC7616.realm,
        nonces: acceptAnyNonce,
        lookupPassword: () => 'Circle Of Life',
      });
      assert.deepEqual(wrong, { ok: false, reason: 'bad-response', username: 'Mufasa' });
    });
  }
});

describe('digest primitives', () => {
  it('parses algorithm names case-insensitively; absent means MD5', () => {
    assert.equal(parseDigestAlgorithm(undefined), 'MD5');
    assert.equal(parseDigestAlgorithm('md5'), 'MD5');
    assert.equal(parseDigestAlgorithm('sha-256-SESS'), 'SHA-256-sess');
    assert.equal(parseDigestAlgorithm('SHA-512-256'), undefined);
    assert.equal(parseDigestAlgorithm('AKAv1-MD5'), undefined);
  });

  it('hashes UTF-8 text to lower-case hex', () => {
    assert.equal(digestHash('MD5', ''), 'd41d8cd98f00b204e9800998ecf8427e');
    assert.equal(digestHash('SHA-256', 'abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('computes -sess, auth-int and RFC 2069 responses from their definitions', () => {
    const ha1 = digestHA1('MD5', 'u', 'r', 'p');
    const md5 = (s: string): string => digestHash('MD5', s);
    assert.equal(
      digestResponse({ algorithm: 'MD5-sess', ha1, nonce: 'N', method: 'REGISTER', uri: 'sip:r', qop: 'auth', nc: '00000001', cnonce: 'C' }),
      md5(`${md5(`${ha1}:N:C`)}:N:00000001:C:auth:${md5('REGISTER:sip:r')}`),
    );
    assert.equal(
      digestResponse({ algorithm: 'MD5', ha1, nonce: 'N', method: 'INVITE', uri: 'sip:r', qop: 'auth-int', nc: '00000002', cnonce: 'C', body: 'v=0\r\n' }),
      md5(`${ha1}:N:00000002:C:auth-int:${md5(`INVITE:sip:r:${md5('v=0\r\n')}`)}`),
    );
    assert.equal(
      digestResponse({ algorithm: 'MD5', ha1, nonce: 'N', method: 'INVITE', uri: 'sip:r' }),
      md5(`${ha1}:N:${md5('INVITE:sip:r')}`),
    );
  });
});

// ───────────────────────────── server side ─────────────────────────────

const REALM = 'acme.dialtone.test';
const URI = 'sip:acme.dialtone.test';
const USERS: Readonly<Record<string, string>> = { alice: 's3cret', 'bob "the" \\builder': 'pä$$wörd' };

function makeNonces(clock = { t: 1_700_000_000_000 }, options: Partial<ConstructorParameters<typeof DigestNonces>[0]> = {}) {
  let counter = 0;
  const nonces = new DigestNonces({
    secret: 'a-test-secret-of-enough-length',
    now: () => clock.t,
    randomBytes: (n) => Buffer.alloc(n, ++counter),
    ...options,
  });
  return { nonces, clock };
}

function options(nonces: NonceVerifier, extra: Partial<VerifyOptions> = {}): VerifyOptions {
  return {
    method: 'REGISTER',
    realm: REALM,
    nonces,
    requestUri: URI,
    lookupPassword: (u: string) => USERS[u],
    ...extra,
  } as VerifyOptions;
}

function clientAnswer(challenge: string, extra: Partial<Parameters<typeof answerChallenge>[1]> = {}): string {
  const header = answerChallenge(challenge, {
    username: 'alice',
    password: 's3cret',
    method: 'REGISTER',
    uri: URI,
    cnonce: 'c0ffee',
    nc: 1,
    ...extra,
  });
  assert.ok(header !== undefined, 'challenge not answerable');
  return header;
}

const reason = (r: VerifyResult): string => (r.ok ? 'ok' : r.reason);

describe('createChallenge', () => {
  it('writes realm, a 40-character nonce, algorithm and qop', () => {
    const { nonces } = makeNonces();
    const value = createChallenge({ realm: REALM, algorithm: 'SHA-256' }, nonces);
    assert.match(value, /^Digest realm="acme\.dialtone\.test", nonce="[A-Za-z0-9_-]{40}", algorithm=SHA-256, qop="auth"$/);
    const c = toDigestChallenge(parseAuthValue(value)!);
    assert.equal(c?.realm, REALM);
    assert.deepEqual(c?.qop, ['auth']);
    assert.equal(c?.stale, false);
  });

  it('adds opaque, stale=true and domain; qop can be several or none', () => {
    const { nonces } = makeNonces();
    const value = createChallenge(
      { realm: REALM, algorithm: 'MD5', stale: true, opaque: 'xyz', domain: 'sip:acme.dialtone.test', qop: ['auth', 'auth-int'] },
      nonces,
    );
    const c = toDigestChallenge(parseAuthValue(value)!);
    assert.equal(c?.stale, true);
    assert.equal(c?.opaque, 'xyz');
    assert.equal(c?.domain, 'sip:acme.dialtone.test');
    assert.deepEqual(c?.qop, ['auth', 'auth-int']);
    assert.doesNotMatch(createChallenge({ realm: REALM, algorithm: 'MD5', qop: false }, nonces), /qop/);
  });

  it('quotes a realm with quotes and backslashes', () => {
    const { nonces } = makeNonces();
    const value = createChallenge({ realm: 'a "b" \\c', algorithm: 'MD5' }, nonces);
    assert.equal(toDigestChallenge(parseAuthValue(value)!)?.realm, 'a "b" \\c');
  });

  it('createChallenges: one value per algorithm, in order, sharing one nonce', () => {
    const { nonces } = makeNonces();
    const values = createChallenges({ realm: REALM, algorithms: ['SHA-256', 'MD5'] }, nonces);
    assert.equal(values.length, 2);
    const [a, b] = values.map((v) => toDigestChallenge(parseAuthValue(v)!));
    assert.equal(a?.algorithm, 'SHA-256');
    assert.equal(b?.algorithm, 'MD5');
    assert.equal(a?.nonce, b?.nonce);
  });
});

describe('verifyCredentials: accepted', () => {
  for (const algorithm of ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess'] as const satisfies readonly DigestAlgorithm[]) {
    it(`accepts ${algorithm} with qop=auth`, async () => {
      const { nonces } = makeNonces();
      const header = clientAnswer(createChallenge({ realm: REALM, algorithm }, nonces));
      assert.deepEqual(await verifyCredentials(header, options(nonces)), {
        ok: true,
        username: 'alice',
        realm: REALM,
        algorithm,
        qop: 'auth',
      });
    });
  }

  it('accepts an RFC 2069 response (no qop) unless told not to', async () => {
    const { nonces } = makeNonces();
    const challenge = createChallenge({ realm: REALM, algorithm: 'MD5', qop: false }, nonces);
    const header = clientAnswer(challenge);
    assert.doesNotMatch(header, /cnonce|nc=|qop/);
    const ok = await verifyCredentials(header, options(nonces));
    assert.ok(ok.ok && ok.qop === undefined);
    assert.equal(reason(await verifyCredentials(header, options(nonces, { allowNoQop: false }))), 'unsupported');
  });

  it('accepts qop=auth-int over the body', async () => {
    const { nonces } = makeNonces();
    const challenge = createChallenge({ realm: REALM, algorithm: 'SHA-256', qop: ['auth-int'] }, nonces);
    const header = clientAnswer(challenge, { method: 'INVITE', body: 'v=0\r\n' });
    assert.match(header, /qop=auth-int/);
    assert.ok((await verifyCredentials(header, options(nonces, { method: 'INVITE', body: 'v=0\r\n' }))).ok);
    assert.equal(reason(await verifyCredentials(header, options(nonces, { method: 'INVITE', body: 'v=1\r\n' }))), 'bad-response');
  });

  it('accepts with a stored HA1 instead of a password, looked up by hash', async () => {
    const { nonces } = makeNonces();
    const seen: string[] = [];
    const lookupHA1 = async (u: string, r: string, hash: 'MD5' | 'SHA-256') => {
      seen.push(hash);
      return u === 'alice' ? digestHA1(hash, u, r, 's3cret').toUpperCase() : undefined;
    };
    for (const algorithm of ['SHA-256', 'MD5-sess'] as const) {
      const header = clientAnswer(createChallenge({ realm: REALM, algorithm }, nonces));
      const r = await verifyCredentials(header, { method: 'REGISTER', realm: REALM, nonces, lookupHA1 });
      assert.ok(r.ok, reason(r));
    }
    assert.deepEqual(seen, ['SHA-256', 'MD5']);
  });

  it('picks the credentials for our realm among several, and usernames with quotes and non-ASCII', async () => {
    const { nonces } = makeNonces();
    const challenge = createChallenge({ realm: REALM, algorithm: 'SHA-256' }, nonces);
    const other = 'Digest username="x", realm="elsewhere", nonce="n", uri="sip:x", response="00"';
    const header = clientAnswer(challenge, { username: 'bob "the" \\builder', password: 'pä$$wörd' });
    const r = await verifyCredentials([other, header], options(nonces));
    assert.ok(r.ok && r.username === 'bob "the" \\builder');
  });

  it('takes a Request-URI equal by SIP rules (host case, escapes)', async () => {
    const { nonces } = makeNonces();
    const header = clientAnswer(createChallenge({ realm: REALM, algorithm: 'MD5' }, nonces), { uri: 'sip:%61lice@ACME.dialtone.test' });
    assert.ok((await verifyCredentials(header, options(nonces, { requestUri: 'sip:alice@acme.dialtone.test' }))).ok);
  });
});

describe('verifyCredentials: refused', () => {
  it('missing: nothing, or only another scheme', async () => {
    const { nonces } = makeNonces();
    assert.equal(reason(await verifyCredentials(undefined, options(nonces))), 'missing');
    assert.equal(reason(await verifyCredentials([], options(nonces))), 'missing');
    assert.equal(reason(await verifyCredentials('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==', options(nonces))), 'missing');
  });

  it('malformed: unreadable, incomplete, bad nc, non-hex or short response, -sess without qop', async () => {
    const { nonces } = makeNonces();
    const good = clientAnswer(createChallenge({ realm: REALM, algorithm: 'MD5' }, nonces));
    const cases = [
      'Digest realm=',
      'Digest username="alice", nonce="n", uri="sip:x", response="00"',
      `Digest username="alice", realm="${REALM}", nonce="n", uri="${URI}"`,
      good.replace('nc=00000001', 'nc=1'),
      good.replace('nc=00000001', 'nc=00000000'),
      good.replace(/, cnonce="[^"]*"/, ''),
      good.replace(/response="[0-9a-f]{32}"/, 'response="zz"'),
      good.replace(/response="([0-9a-f]{32})"/, 'response="$1aa"'),
      good.replace(/response="[0-9a-f]{32}"/, `response="${'g'.repeat(32)}"`),
      good.replace('algorithm=MD5', 'algorithm=MD5-sess').replace(/, qop=auth, nc=00000001/, ''),
    ];
    for (const value of cases) assert.equal(reason(await verifyCredentials(value, options(nonces))), 'malformed', value);
  });

  it('unsupported: an unknown algorithm or qop, or one we turned off', async () => {
    const { nonces } = makeNonces();
    const good = clientAnswer(createChallenge({ realm: REALM, algorithm: 'MD5' }, nonces));
    assert.equal(reason(await verifyCredentials(good.replace('algorithm=MD5', 'algorithm=SHA-512-256'), options(nonces))), 'unsupported');
    assert.equal(reason(await verifyCredentials(good.replace('qop=auth', 'qop=auth-conf'), options(nonces))), 'unsupported');
    assert.equal(reason(await verifyCredentials(good, options(nonces, { algorithms: ['SHA-256'] }))), 'unsupported');
  });

  it('realm-mismatch: credentials only for another realm', async () => {
    const { nonces } = makeNonces();
    const header = clientAnswer(createChallenge({ realm: 'other.test', algorithm: 'MD5' }, nonces));
    assert.equal(reason(await verifyCredentials(header, options(nonces))), 'realm-mismatch');
  });

  it('uri-mismatch: credentials for another Request-URI', async () => {
    const { nonces } = makeNonces();
    const header = clientAnswer(createChallenge({ realm: REALM, algorithm: 'MD5' }, nonces), { uri: 'sip:other.test' });
    assert.equal(reason(await verifyCredentials(header, options(nonces))), 'uri-mismatch');
    // Without a requestUri to compare, the uri is only hashed.
    assert.ok((await verifyCredentials(header, options(nonces, { requestUri: undefined }))).ok);
  });

  it('bad-nonce: altered, from another realm, from another secret, or with the wrong opaque', async () => {
    const { nonces } = makeNonces();
    const challenge = createChallenge({ realm: REALM, algorithm: 'MD5', opaque: 'op1' }, nonces);
    const nonce = toDigestChallenge(parseAuthValue(challenge)!)!.nonce;
    const flipped = nonce.slice(0, 10) + (nonce[10] === 'A' ? 'B' : 'A') + nonce.slice(11);
    const altered = clientAnswer(challenge.replace(nonce, flipped));
    assert.equal(reason(await verifyCredentials(altered, options(nonces))), 'bad-nonce');

    const otherRealm = createChallenge({ realm: 'other.test', algorithm: 'MD5' }, nonces);
    const stolen = toDigestChallenge(parseAuthValue(otherRealm)!)!.nonce;
    assert.equal(reason(await verifyCredentials(clientAnswer(challenge.replace(nonce, stolen)), options(nonces))), 'bad-nonce');

    const { nonces: elsewhere } = makeNonces(undefined, { secret: 'another-secret-of-enough-length' });
    const foreign = clientAnswer(createChallenge({ realm: REALM, algorithm: 'MD5' }, elsewhere));
    assert.equal(reason(await verifyCredentials(foreign, options(nonces))), 'bad-nonce');

    const good = clientAnswer(challenge);
    assert.ok((await verifyCredentials(good, options(nonces, { opaque: 'op1' }))).ok);
    assert.equal(reason(await verifyCredentials(clientAnswer(challenge, { nc: 2 }), options(nonces, { opaque: 'op2' }))), 'bad-nonce');
  });

  it('unknown-user and bad-response, with the username reported', async () => {
    const { nonces } = makeNonces();
    const challenge = createChallenge({ realm: REALM, algorithm: 'SHA-256' }, nonces);
    assert.deepEqual(await verifyCredentials(clientAnswer(challenge, { username: 'mallory' }), options(nonces)), {
      ok: false,
      reason: 'unknown-user',
      username: 'mallory',
    });
    assert.deepEqual(await verifyCredentials(clientAnswer(challenge, { password: 'guess' }), options(nonces)), {
      ok: false,
      reason: 'bad-response',
      username: 'alice',
    });
    // Another method than the one answered.
    assert.equal(reason(await verifyCredentials(clientAnswer(challenge, { nc: 2 }), options(nonces, { method: 'INVITE' }))), 'bad-response');
  });

  it('stale-nonce: only for a right response with an expired nonce', async () => {
    const { nonces, clock } = makeNonces();
    const challenge = createChallenge({ realm: REALM, algorithm: 'MD5' }, nonces);
    clock.t += nonces.lifetimeMs + 1;
    assert.equal(reason(await verifyCredentials(clientAnswer(challenge), options(nonces))), 'stale-nonce');
    assert.equal(reason(await verifyCredentials(clientAnswer(challenge, { password: 'x' }), options(nonces))), 'bad-response');
  });

  it('nc-replay: a count used before; a later or out-of-order count passes', async () => {
    const { nonces } = makeNonces();
    const challenge = createChallenge({ realm: REALM, algorithm: 'MD5' }, nonces);
    const at = (nc: number) => verifyCredentials(clientAnswer(challenge, { nc }), options(nonces));
    assert.equal(reason(await at(1)), 'ok');
    assert.equal(reason(await at(1)), 'nc-replay');
    assert.equal(reason(await at(3)), 'ok');
    assert.equal(reason(await at(2)), 'ok');
    assert.equal(reason(await at(2)), 'nc-replay');
    assert.equal(reason(await at(3)), 'nc-replay');
  });

  it('a wrong guess does not use up a count', async () => {
    const { nonces } = makeNonces();
    const challenge = createChallenge({ realm: REALM, algorithm: 'MD5' }, nonces);
    assert.equal(reason(await verifyCredentials(clientAnswer(challenge, { password: 'guess' }), options(nonces))), 'bad-response');
    assert.equal(reason(await verifyCredentials(clientAnswer(challenge), options(nonces))), 'ok');
  });

  it('failureResponse: 400 for unreadable or misdirected credentials, 401 otherwise, stale after stale-nonce', () => {
    assert.deepEqual(failureResponse('malformed'), { status: 400, stale: false });
    assert.deepEqual(failureResponse('uri-mismatch'), { status: 400, stale: false });
    assert.deepEqual(failureResponse('stale-nonce'), { status: 401, stale: true });
    for (const r of ['missing', 'unsupported', 'realm-mismatch', 'bad-nonce', 'unknown-user', 'bad-response', 'nc-replay'] as const) {
      assert.deepEqual(failureResponse(r), { status: 401, stale: false }, r);
    }
  });
});

// ───────────────────────────── client side ─────────────────────────────

describe('pickChallenge', () => {
  const md5 = 'Digest realm="trunk", nonce="n1", algorithm=MD5, qop="auth"';
  const sha = 'Digest realm="trunk", nonce="n2", algorithm=SHA-256, qop="auth"';
  const sha2 = 'Digest realm="trunk", nonce="n3", algorithm=SHA-256-sess, qop="auth"';

  it('takes the strongest algorithm wherever it is, the topmost among equals', () => {
    assert.equal(pickChallenge([md5, sha])?.nonce, 'n2');
    assert.equal(pickChallenge([sha, md5])?.nonce, 'n2');
    assert.equal(pickChallenge([md5, sha2, sha])?.nonce, 'n3');
  });

  it('skips what it cannot answer: other schemes, unknown algorithms or qop, unreadable values', () => {
    const values = [
      'Basic realm="trunk"',
      'Digest realm="trunk", nonce="x", algorithm=SHA-512-256, qop="auth"',
      'Digest realm="trunk", nonce="y", algorithm=MD5, qop="auth-conf"',
      'Digest realm=',
      md5,
    ];
    assert.equal(pickChallenge(values)?.nonce, 'n1');
    assert.equal(pickChallenge(values.slice(0, 4)), undefined);
    assert.equal(pickChallenge([]), undefined);
  });

  it('filters by realm and takes parsed values', () => {
    const other = 'Digest realm="proxy", nonce="p", algorithm=SHA-256, qop="auth"';
    assert.equal(pickChallenge([other, md5], { realm: 'trunk' })?.nonce, 'n1');
    assert.equal(pickChallenge([parseAuthValue(other)!, parseAuthValue(md5)!])?.nonce, 'p');
  });
});

describe('answerChallenge', () => {
  const base = { username: 'u', password: 'p', method: 'INVITE', uri: 'sip:+15551234567@trunk.example', cnonce: 'abc', nc: 1 } as const;

  it('returns undefined for what it cannot answer', () => {
    assert.equal(answerChallenge('Basic realm="x"', base), undefined);
    assert.equal(answerChallenge('Digest realm="x", nonce="n", algorithm=SHA-512-256', base), undefined);
    assert.equal(answerChallenge('Digest realm="x", nonce="n", qop="auth-conf"', base), undefined);
    assert.equal(answerChallenge('Digest realm="x", nonce="n", algorithm=MD5-sess', base), undefined);
    assert.equal(answerChallenge('Digest nonce="n"', base), undefined);
  });

  it('formats nc as 8 hex digits and takes the cnonce from a function', () => {
    let calls = 0;
    const header = answerChallenge('Digest realm="x", nonce="n", qop="auth"', {
      ...base,
      nc: 26,
      cnonce: () => `gen${++calls}`,
    });
    assert.match(header ?? '', /cnonce="gen1".*nc=0000001a$/);
    assert.equal(calls, 1);
  });

  it('accepts a parsed challenge (AuthValue or DigestChallenge)', () => {
    const text = 'Digest realm="x", nonce="n", qop="auth", algorithm=SHA-256';
    const v = parseAuthValue(text)!;
    const expected = answerChallenge(text, base);
    assert.equal(answerChallenge(v, base), expected);
    assert.equal(answerChallenge(toDigestChallenge(v)!, base), expected);
  });

  it('throws RangeError for a nonce count outside 1…2^32-1', () => {
    assert.throws(() => answerChallenge('Digest realm="x", nonce="n", qop="auth"', { ...base, nc: 0 }), RangeError);
    assert.throws(() => answerChallenge('Digest realm="x", nonce="n", qop="auth"', { ...base, nc: 2 ** 32 }), RangeError);
  });

  it('answers a 401 with two challenges the way the server checks it (SHA-256 chosen)', async () => {
    const { nonces } = makeNonces();
    const values = createChallenges({ realm: REALM, algorithms: ['SHA-256', 'MD5'] }, nonces);
    const chosen = pickChallenge([...values].reverse());
    assert.equal(chosen?.algorithm, 'SHA-256');
    const header = answerChallenge(chosen!, { username: 'alice', password: 's3cret', method: 'REGISTER', uri: URI, cnonce: 'q', nc: 1 });
    const r = await verifyCredentials(header, options(nonces));
    assert.ok(r.ok && r.algorithm === 'SHA-256');
  });
});

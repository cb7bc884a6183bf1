import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DigestNonces, type DigestNonceOptions } from '../../../../src/sip/auth/index.js';

const T0 = 1_700_000_000_000;

function make(options: Partial<DigestNonceOptions> = {}) {
  const clock = { t: T0 };
  let counter = 0;
  const nonces = new DigestNonces({
    secret: new Uint8Array(32).fill(7),
    now: () => clock.t,
    randomBytes: (n) => {
      counter++;
      const b = new Uint8Array(n);
      new DataView(b.buffer).setUint32(0, counter);
      return b;
    },
    ...options,
  });
  return { nonces, clock };
}

describe('DigestNonces: issue and check', () => {
  it('issues 40 base64url characters, a different one each time', () => {
    const { nonces } = make();
    const a = nonces.issue('r');
    const b = nonces.issue('r');
    assert.match(a, /^[A-Za-z0-9_-]{40}$/);
    assert.notEqual(a, b);
  });

  it('uses crypto randomness and the wall clock by default', () => {
    const nonces = new DigestNonces({ secret: 'sixteen-bytes-ok' });
    const a = nonces.issue('r');
    assert.notEqual(a, nonces.issue('r'));
    assert.equal(nonces.check(a, 'r'), 'fresh');
  });

  it('is fresh through its lifetime, stale after, for its realm only', () => {
    const { nonces, clock } = make({ lifetimeMs: 60_000 });
    const n = nonces.issue('r');
    assert.equal(nonces.check(n, 'r'), 'fresh');
    assert.equal(nonces.check(n, 'R'), 'invalid');
    clock.t += 60_000;
    assert.equal(nonces.check(n, 'r'), 'fresh');
    clock.t += 1;
    assert.equal(nonces.check(n, 'r'), 'stale');
  });

  it('verifies on another instance with the same secret (another node), not with another secret', () => {
    const { nonces } = make();
    const n = nonces.issue('r');
    assert.equal(make().nonces.check(n, 'r'), 'fresh');
    assert.equal(make({ secret: new Uint8Array(32).fill(8) }).nonces.check(n, 'r'), 'invalid');
  });

  it('refuses a nonce from too far in the future (beyond clock skew)', () => {
    const { nonces, clock } = make({ clockSkewMs: 1_000 });
    clock.t += 5_000;
    const n = nonces.issue('r');
    clock.t -= 5_000;
    assert.equal(nonces.check(n, 'r'), 'invalid');
    clock.t += 4_000;
    assert.equal(nonces.check(n, 'r'), 'fresh');
  });

  it('refuses anything that is not one of its nonces', () => {
    const { nonces } = make();
    const n = nonces.issue('r');
    for (const bad of ['', 'x', n.slice(1), `${n}A`, n.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), `${n.slice(0, 39)}=`, n.toUpperCase()]) {
      if (bad === n) continue;
      assert.equal(nonces.check(bad, 'r'), 'invalid', bad);
    }
  });

  it('refuses a secret shorter than 16 bytes and a bad window', () => {
    assert.throws(() => new DigestNonces({ secret: 'short' }), RangeError);
    assert.throws(() => new DigestNonces({ secret: new Uint8Array(15) }), RangeError);
    assert.throws(() => new DigestNonces({ secret: 'sixteen-bytes-ok', replayWindow: 0 }), RangeError);
  });
});

describe('DigestNonces: nonce-count window', () => {
  it('takes each count once, in any order within the window', () => {
    const { nonces } = make({ replayWindow: 4 });
    const n = nonces.issue('r');
    assert.equal(nonces.useCount(n, 1), 'ok');
    assert.equal(nonces.useCount(n, 1), 'replay');
    assert.equal(nonces.useCount(n, 5), 'ok');
    assert.equal(nonces.useCount(n, 3), 'ok');
    assert.equal(nonces.useCount(n, 2), 'ok');
    assert.equal(nonces.useCount(n, 2), 'replay');
    // 1 is now 4 behind 5: outside the window.
    assert.equal(nonces.useCount(n, 1), 'replay');
    assert.equal(nonces.useCount(n, 100), 'ok');
    assert.equal(nonces.useCount(n, 96), 'replay');
    assert.equal(nonces.useCount(n, 97), 'ok');
  });

  it('starts a nonce it has not seen at any count (the first request may have gone to another node)', () => {
    const { nonces } = make();
    const n = nonces.issue('r');
    assert.equal(nonces.useCount(n, 7), 'ok');
    assert.equal(nonces.useCount(n, 7), 'replay');
  });

  it('refuses counts below 1', () => {
    const { nonces } = make();
    const n = nonces.issue('r');
    assert.equal(nonces.useCount(n, 0), 'replay');
    assert.equal(nonces.useCount(n, 1.5), 'replay');
  });

  it('keeps its table bounded: drops expired nonces first, then the oldest, and says unknown for those', () => {
    const { nonces, clock } = make({ maxTracked: 10, lifetimeMs: 1_000 });
    const old = Array.from({ length: 5 }, () => nonces.issue('r'));
    for (const n of old) assert.equal(nonces.useCount(n, 1), 'ok');
    clock.t += 2_000;
    const live = Array.from({ length: 5 }, () => nonces.issue('r'));
    for (const n of live) assert.equal(nonces.useCount(n, 1), 'ok');
    assert.equal(nonces.tracked, 10);
    // Room is made by dropping the five expired nonces: nothing live is lost.
    const next = nonces.issue('r');
    assert.equal(nonces.useCount(next, 1), 'ok');
    assert.equal(nonces.tracked, 6);
    for (const n of live) assert.equal(nonces.useCount(n, 1), 'replay');

    // Fill up with live nonces: the oldest tracked ones go, and can no longer be vouched for.
    clock.t += 1;
    const more = Array.from({ length: 4 }, () => nonces.issue('r'));
    for (const n of more) assert.equal(nonces.useCount(n, 1), 'ok');
    assert.equal(nonces.tracked, 10);
    const last = nonces.issue('r');
    assert.equal(nonces.useCount(last, 1), 'ok');
    assert.ok(nonces.tracked <= 10);
    assert.equal(nonces.useCount(live[0]!, 2), 'unknown');
    // A nonce issued after everything evicted is still taken fresh.
    clock.t += 1;
    const newer = nonces.issue('r');
    assert.equal(nonces.useCount(newer, 3), 'ok');
  });
});

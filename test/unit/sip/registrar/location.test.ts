import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LocationService, type RegisterWrite } from '../../../../src/sip/registrar/location.js';

const flow = { transport: 'UDP', host: '127.0.0.1', port: 5062 } as const;
const write = (over: Partial<RegisterWrite> = {}): RegisterWrite => ({
  aor: 'alice',
  callId: 'c1',
  cseq: 1,
  flow,
  userAgent: undefined,
  now: 1_000_000,
  ...over,
});

describe('location service (RFC 3261 §10.3)', () => {
  it('lapses a binding at its expiry', () => {
    const l = new LocationService();
    l.update(write(), [{ contact: 'sip:alice@10.0.0.1', expiresSeconds: 60, q: 1 }]);
    assert.equal(l.lookup('alice', 1_000_000 + 59_999).length, 1);
    assert.equal(l.lookup('alice', 1_000_000 + 60_000).length, 0);
    assert.deepEqual(l.lookup('alice', 1_000_000 + 60_000), []);
  });

  it('orders contacts by q, then the most recent first', () => {
    const l = new LocationService();
    l.update(write({ callId: 'a' }), [{ contact: 'sip:alice@10.0.0.1', expiresSeconds: 60, q: 0.5 }]);
    l.update(write({ callId: 'b', now: 1_000_001 }), [{ contact: 'sip:alice@10.0.0.2', expiresSeconds: 60, q: 0.5 }]);
    l.update(write({ callId: 'c' }), [{ contact: 'sip:alice@10.0.0.3', expiresSeconds: 60, q: 1 }]);
    assert.deepEqual(
      l.lookup('alice', 1_000_002).map((b) => b.contact),
      ['sip:alice@10.0.0.3', 'sip:alice@10.0.0.2', 'sip:alice@10.0.0.1'],
    );
  });

  it('treats equal SIP URIs as one contact (a refresh, not a second binding)', () => {
    const l = new LocationService();
    l.update(write(), [{ contact: 'sip:alice@EXAMPLE.com:5060', expiresSeconds: 60, q: 1 }]);
    l.update(write({ cseq: 2 }), [{ contact: 'sip:alice@example.com:5060', expiresSeconds: 120, q: 1 }]);
    const bindings = l.lookup('alice', 1_000_000);
    assert.equal(bindings.length, 1);
    assert.equal(bindings[0]?.expiresAt, 1_000_000 + 120_000);
  });

  it('refuses a whole request whose CSeq is not above the one that wrote a binding with the same Call-ID', () => {
    const l = new LocationService();
    l.update(write({ cseq: 5 }), [{ contact: 'sip:alice@10.0.0.1', expiresSeconds: 60, q: 1 }]);
    const r = l.update(write({ cseq: 5 }), [
      { contact: 'sip:alice@10.0.0.9', expiresSeconds: 60, q: 1 },
      { contact: 'sip:alice@10.0.0.1', expiresSeconds: 0, q: 1 },
    ]);
    assert.deepEqual(r, { ok: false, reason: 'out-of-order' });
    assert.deepEqual(l.lookup('alice', 1_000_000).map((b) => b.contact), ['sip:alice@10.0.0.1']);
    // Another Call-ID (the client restarted) may replace it whatever its CSeq.
    assert.deepEqual(l.update(write({ callId: 'c2', cseq: 1 }), [{ contact: 'sip:alice@10.0.0.1', expiresSeconds: 0, q: 1 }]), { ok: true });
    assert.deepEqual(l.lookup('alice', 1_000_000), []);
  });

  it('keeps at most the configured number of contacts per AOR, the newest', () => {
    const l = new LocationService({ maxContactsPerAor: 2 });
    for (let i = 1; i <= 4; i++) l.update(write({ callId: `c${i}`, now: 1_000_000 + i }), [{ contact: `sip:alice@10.0.0.${i}`, expiresSeconds: 60, q: 1 }]);
    assert.deepEqual(l.lookup('alice', 1_000_010).map((b) => b.contact), ['sip:alice@10.0.0.4', 'sip:alice@10.0.0.3']);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DefaultDialPlan, type SipRoute } from '../../../src/telephony/dial-plan.js';
import { ringbackPcm } from '../../../src/telephony/ringback.js';

const ACCOUNT = 'AC' + '1'.repeat(32);
const OTHER = 'AC' + '2'.repeat(32);
const owned = new Map([['+15550100', ACCOUNT]]);

function plan(extra: Partial<ConstructorParameters<typeof DefaultDialPlan>[0]> = {}): DefaultDialPlan {
  return new DefaultDialPlan({
    ownsNumber: async (n, a) => owned.get(n) === a,
    self: () => ({ host: '127.0.0.1', port: 5070, transport: 'UDP' }),
    ...extra,
  });
}

describe('DefaultDialPlan', () => {
  it('a SIP URI goes where it says; X- headers in the URI become INVITE headers, others are dropped', async () => {
    const route = await plan().route({ kind: 'sip', address: 'sip:bob@example.com:5080;transport=tcp?X-Tag=a%20b&Via=evil&X-Other=1', username: 'u', password: 'p' }, ACCOUNT);
    assert.deepEqual(route, {
      kind: 'sip',
      uri: 'sip:bob@example.com:5080;transport=tcp',
      via: 'sip',
      credentials: { username: 'u', password: 'p' },
      headers: [
        ['X-Tag', 'a b'],
        ['X-Other', '1'],
      ],
    });
  });

  it("one of the account's own numbers loops back to our SIP listener, however it is written", async () => {
    const route = await plan().route({ kind: 'number', address: '+1 555-0100' }, ACCOUNT);
    assert.deepEqual(route, { kind: 'sip', uri: 'sip:+15550100@127.0.0.1:5070', destination: { host: '127.0.0.1', port: 5070, transport: 'UDP' }, via: 'loopback' });
  });

  it('the loopback to an IPv6 listener brackets its host and names a TCP transport', async () => {
    const self = { host: '::1', port: 5070, transport: 'TCP' } as const;
    const route = await plan({ self: () => self }).route({ kind: 'number', address: '+15550100' }, ACCOUNT);
    assert.deepEqual(route, { kind: 'sip', uri: 'sip:+15550100@[::1]:5070;transport=tcp', destination: self, via: 'loopback' });
  });

  it("another account's number, or any other, has no route without trunks; with the trunk seam it goes there", async () => {
    const none = await plan().route({ kind: 'number', address: '+15550100' }, OTHER);
    assert.equal(none.kind, 'none');
    assert.match(none.kind === 'none' ? none.reason : '', /no route to \+15550100/);
    const trunk: SipRoute = { kind: 'sip', uri: 'sip:+15550100@trunk.example.com', via: 'trunk' };
    const routed = await plan({ trunks: { route: async () => trunk } }).route({ kind: 'number', address: '+15550100' }, OTHER);
    assert.deepEqual(routed, trunk);
  });

  it('a malformed number or SIP address is refused with its Twilio code', async () => {
    const bad = await plan().route({ kind: 'number', address: 'call me' }, ACCOUNT);
    assert.deepEqual(bad.kind === 'none' ? bad.code : undefined, 13223);
    const badSip = await plan().route({ kind: 'sip', address: 'bob@example.com' }, ACCOUNT);
    assert.deepEqual(badSip.kind === 'none' ? badSip.code : undefined, 13243);
  });

  it('a client has no route until a directory (the registrar) is plugged in', async () => {
    const none = await plan().route({ kind: 'client', address: 'alice' }, ACCOUNT);
    assert.equal(none.kind, 'none');
    const found: SipRoute = { kind: 'sip', uri: 'sip:alice@10.0.0.5:5062', via: 'client' };
    assert.deepEqual(await plan({ clients: { locate: async () => found } }).route({ kind: 'client', address: 'alice' }, ACCOUNT), found);
  });
});

describe('ringback', () => {
  it('one US cadence: 2 s of 440+480 Hz, then 4 s of silence; unknown countries ring like the US', () => {
    const pcm = ringbackPcm('us');
    assert.equal(pcm.length, 6 * 8000);
    assert.ok(pcm.subarray(0, 16000).some((s) => Math.abs(s) > 1000));
    assert.ok(pcm.subarray(16000).every((s) => s === 0));
    assert.equal(ringbackPcm('xx'), pcm);
    assert.equal(ringbackPcm('uk').length, 3 * 8000);
  });

  it("is made once per cadence, in shared memory: 'us-old' and 'ca' get the US buffer", () => {
    const pcm = ringbackPcm('us');
    assert.ok(pcm.buffer instanceof SharedArrayBuffer);
    assert.equal(ringbackPcm('us-old'), pcm);
    assert.equal(ringbackPcm('ca'), pcm);
    assert.equal(ringbackPcm('au'), ringbackPcm('uk'));
  });
});

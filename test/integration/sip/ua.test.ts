/**
 * Two SIP stacks (transport → transactions → UA core) calling each other over real
 * loopback sockets, UDP and TCP: call setup and teardown from each side, CANCEL, hold and
 * unhold by re-INVITE, re-INVITE glare, INFO DTMF, OPTIONS.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSipStack, type SipStack } from '../../../src/sip/index.js';
import {
  InviteCancelledError,
  type IncomingInvite,
  type InviteSession,
  type SessionDtmf,
  type SessionEnd,
  type SessionModification,
} from '../../../src/sip/ua/index.js';
import type { TransportProtocol } from '../../../src/sip/transport/types.js';
import type { SipRequest, SipResponse } from '../../../src/sip/message/index.js';

const sdp = (user: string, port: number, direction = 'sendrecv'): string =>
  ['v=0', `o=${user} 1 1 IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', `a=${direction}`, ''].join('\r\n');

const OFFER = sdp('alice', 40000);
const ANSWER = sdp('bob', 40002);

/** `promise`, or a rejection after `ms` (a bound, not a timing assertion). */
function within<T>(what: string, promise: Promise<T>, ms = 5_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

for (const protocol of ['UDP', 'TCP'] as const satisfies readonly TransportProtocol[]) {
  describe(`two user agents over ${protocol}`, { timeout: 30_000 }, () => {
    let alice: SipStack;
    let bob: SipStack;
    let bobUri: string;

    before(async () => {
      alice = await createSipStack({ udpPort: 0, tcpPort: 0, userAgent: { contactUser: 'alice', random: () => 0 } });
      bob = await createSipStack({ udpPort: 0, tcpPort: 0, userAgent: { contactUser: 'bob', random: () => 0 } });
      const { host, port } = bob.address(protocol);
      bobUri = `sip:bob@${host}:${port}${protocol === 'TCP' ? ';transport=tcp' : ''}`;
    });

    after(async () => {
      await Promise.all([alice.close(), bob.close()]);
    });

    /** Bob rings, then answers; resolves both sessions. */
    async function call(): Promise<{ caller: InviteSession; callee: InviteSession; progress: number[] }> {
      const incoming = within('INVITE', new Promise<IncomingInvite>((r) => bob.ua.once('incoming', r)));
      const out = alice.ua.invite(bobUri, { from: 'sip:alice@127.0.0.1', body: OFFER });
      const progress: number[] = [];
      out.on('progress', (r) => progress.push(r.status));
      const inv = await incoming;
      assert.equal(inv.offer, OFFER);
      inv.ringing();
      await new Promise((r) => setTimeout(r, 20));
      const callee = inv.accept({ body: ANSWER });
      const confirmed = within('ACK', new Promise<SipRequest>((r) => callee.once('confirmed', r)));
      const caller = await out.session;
      await confirmed;
      return { caller, callee, progress };
    }

    it('INVITE → 180 → 200 → ACK, BYE from the caller', async () => {
      const { caller, callee, progress } = await call();
      assert.ok(progress.includes(180));
      assert.equal(caller.remoteSdp, ANSWER);
      assert.equal(callee.remoteSdp, OFFER);
      assert.equal(callee.state, 'confirmed');
      assert.equal(caller.callId, callee.callId);
      const ended = within('end', new Promise<SessionEnd>((r) => callee.once('ended', r)));
      const res = await caller.bye();
      assert.equal(res?.status, 200);
      const end = await ended;
      assert.equal(end.reason, 'remote-bye');
      assert.equal(alice.ua.dialogCount, 0);
      assert.equal(bob.ua.dialogCount, 0);
    });

    it('BYE from the callee', async () => {
      const { caller, callee } = await call();
      const ended = within('end', new Promise<SessionEnd>((r) => caller.once('ended', r)));
      const res = await callee.bye();
      assert.equal(res?.status, 200);
      const end = await ended;
      assert.equal(end.reason, 'remote-bye');
      assert.equal(caller.state, 'terminated');
    });

    it('CANCEL before the answer: 487 for the INVITE, 200 for the CANCEL', async () => {
      const incoming = within('INVITE', new Promise<IncomingInvite>((r) => bob.ua.once('incoming', r)));
      const out = alice.ua.invite(bobUri, { from: 'sip:alice@127.0.0.1', body: OFFER });
      const inv = await incoming;
      const ringing = within('180', new Promise<SipResponse>((r) => out.once('progress', r)));
      inv.ringing();
      await ringing;
      const cancelled = within('cancelled', new Promise<SipRequest>((r) => inv.once('cancelled', r)));
      await out.cancel();
      const err = await out.session.catch((e: unknown) => e);
      assert.ok(err instanceof InviteCancelledError, String(err));
      assert.equal(err.response?.status, 487);
      const cancel = await cancelled;
      assert.equal(cancel.method, 'CANCEL');
      assert.equal(inv.state, 'cancelled');
    });

    it('re-INVITE: hold (a=sendonly) and unhold', async () => {
      const { caller, callee } = await call();
      const seen: SessionModification[] = [];
      callee.on('modified', (m) => seen.push(m));
      await caller.hold();
      assert.equal(caller.remoteDirection, 'recvonly');
      assert.equal(seen.at(-1)?.remoteDirection, 'sendonly');
      await caller.unhold();
      assert.equal(caller.remoteDirection, 'sendrecv');
      assert.equal(seen.at(-1)?.remoteDirection, 'sendrecv');
      assert.equal(seen.length, 2);
      await caller.bye();
    });

    it('glare: both re-INVITE at once, both get 491, both retries succeed', async () => {
      const { caller, callee } = await call();
      const statuses: number[] = [];
      const send = bob.transport.send.bind(bob.transport);
      bob.transport.send = (data, destination) => {
        if (!(data instanceof Uint8Array) && data.kind === 'response') statuses.push(data.status);
        return send(data, destination);
      };
      const [a, b] = await Promise.all([caller.reinvite(sdp('alice', 40000, 'sendonly')), callee.reinvite(sdp('bob', 40002, 'sendonly'))]);
      assert.equal(a.status, 200);
      assert.equal(b.status, 200);
      assert.equal(caller.state, 'confirmed');
      assert.equal(callee.state, 'confirmed');
      assert.ok(statuses.includes(491), `bob answered ${statuses.join(', ')}`);
      bob.transport.send = send;
      await caller.bye();
    });

    it('INFO application/dtmf-relay arrives as a digit', async () => {
      const { caller, callee } = await call();
      const dtmf = within('dtmf', new Promise<SessionDtmf>((r) => callee.once('dtmf', r)));
      const res = await caller.sendDtmfInfo('9', 200);
      assert.equal(res.status, 200);
      const d = await dtmf;
      assert.equal(d.digit, '9');
      assert.equal(d.durationMs, 200);
      await callee.bye();
    });

    it('OPTIONS outside a dialog: 200 with Allow and Accept', async () => {
      const res = await alice.ua.options(bobUri);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('Allow') ?? '', /INVITE/);
      assert.match(res.headers.get('Accept') ?? '', /application\/sdp/);
    });
  });
}

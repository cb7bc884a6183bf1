/**
 * sipp (real, /usr/bin/sipp) calls our UA core over UDP on 127.0.0.1: a call the caller
 * hangs up, a CANCEL before the answer, a call we hang up, a re-INVITE mid-call, and a
 * caller that holds back its ACK so that our 2xx is retransmitted. Each run is bounded by
 * sipp's `-timeout 20s` and a kill timer.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSipStack, type SipStack } from '../../../src/sip/index.js';
import type { IncomingInvite, InviteSession, SessionEnd, SessionModification } from '../../../src/sip/ua/index.js';
import type { SipMessage } from '../../../src/sip/message/index.js';
import { countReceived, freeUdpPort, runSipp, sippScenario, sippSkip } from '../../support/sipp.js';

const ANSWER = [
  'v=0',
  'o=dialtone 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 30000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  'a=sendrecv',
  '',
].join('\r\n');

interface Server {
  readonly stack: SipStack;
  readonly remote: string;
  /** What our stack sent: methods and statuses (`INVITE`, `200 INVITE`). */
  readonly sent: string[];
}

async function server(): Promise<Server> {
  const stack = await createSipStack({ udpPort: 0, tcpPort: false });
  const sent: string[] = [];
  const send = stack.transport.send.bind(stack.transport);
  stack.transport.send = (data, destination) => {
    if (!(data instanceof Uint8Array)) sent.push(describeMessage(data));
    return send(data, destination);
  };
  const { host, port } = stack.address('UDP');
  return { stack, remote: `${host}:${port}`, sent };
}

function describeMessage(m: SipMessage): string {
  if (m.kind === 'request') return m.method;
  const cseq = m.headers.get('CSeq')?.split(' ')[1] ?? '';
  return `${m.status} ${cseq}`;
}

/** Until `what` happens, bounded. */
function within<T>(promise: Promise<T>, what: string, ms = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface Tracked {
  readonly session: InviteSession;
  /** Settles with the session's end; registered when the session was made. */
  readonly ended: Promise<SessionEnd>;
}

function track(session: InviteSession): Tracked {
  return { session, ended: new Promise((resolve) => session.once('ended', resolve)) };
}

/** The first session our UA makes, answering each INVITE with `answer`. */
function sessionFrom(stack: SipStack, answer: (invite: IncomingInvite) => InviteSession | undefined): Promise<Tracked> {
  return new Promise((resolve) => {
    stack.ua.on('incoming', (invite) => {
      const session = answer(invite);
      if (session !== undefined) resolve(track(session));
    });
  });
}

describe('sipp UAC → our UAS (UDP)', { skip: sippSkip, timeout: 60_000 }, () => {
  it('(a) INVITE → 180 → 200 (SDP answer) → ACK → BYE from sipp: the session ends', async () => {
    const srv = await server();
    try {
      const session = sessionFrom(srv.stack, (inv) => {
        inv.ringing();
        return inv.accept({ body: ANSWER });
      });
      const run = await runSipp({
        scenario: { file: sippScenario('uac-call-bye.xml') },
        remote: srv.remote,
        port: await freeUdpPort(),
        args: ['-s', 'svc'],
      });
      assert.equal(run.code, 0, run.report);
      const { session: s, ended } = await within(session, 'the session');
      const end = await within(ended, 'the session end');
      assert.equal(end.reason, 'remote-bye');
      assert.match(s.remoteSdp ?? '', /m=audio/);
      assert.ok(srv.sent.includes('180 INVITE'));
      assert.ok(srv.sent.includes('200 BYE'));
    } finally {
      await srv.stack.close();
    }
  });

  it('(c) INVITE then CANCEL before the answer: 200 for the CANCEL, 487 for the INVITE', async () => {
    const srv = await server();
    try {
      const cancelled = new Promise<string>((resolve) => {
        srv.stack.ua.on('incoming', (inv) => {
          inv.once('cancelled', (req) => resolve(req.method));
          inv.ringing();
        });
      });
      const run = await runSipp({
        scenario: { file: sippScenario('uac-cancel.xml') },
        remote: srv.remote,
        port: await freeUdpPort(),
        args: ['-s', 'svc'],
      });
      assert.equal(run.code, 0, run.report);
      assert.equal(await within(cancelled, 'cancelled'), 'CANCEL');
      assert.ok(srv.sent.includes('200 CANCEL'));
      assert.ok(srv.sent.includes('487 INVITE'));
      assert.equal(srv.stack.ua.dialogCount, 0);
    } finally {
      await srv.stack.close();
    }
  });

  it('(d) we hang up first: sipp expects our BYE and answers 200', async () => {
    const srv = await server();
    try {
      const byeAnswered = new Promise<number | undefined>((resolve) => {
        srv.stack.ua.on('incoming', (inv) => {
          const s = inv.accept({ body: ANSWER });
          s.once('confirmed', () => {
            void s.bye().then((res) => resolve(res?.status));
          });
        });
      });
      const run = await runSipp({
        scenario: { file: sippScenario('uac-wait-bye.xml') },
        remote: srv.remote,
        port: await freeUdpPort(),
        args: ['-s', 'svc'],
      });
      assert.equal(run.code, 0, run.report);
      assert.equal(await within(byeAnswered, 'the 200 to our BYE'), 200);
      assert.equal(countReceived(run.messages, 'BYE '), 1);
    } finally {
      await srv.stack.close();
    }
  });

  it('(e) re-INVITE from sipp mid-call: hold (sendonly → recvonly), unhold (sendrecv)', async () => {
    const srv = await server();
    try {
      const changes: SessionModification[] = [];
      const session = sessionFrom(srv.stack, (inv) => {
        const s = inv.accept({ body: ANSWER });
        s.on('modified', (m) => changes.push(m));
        return s;
      });
      const run = await runSipp({
        scenario: { file: sippScenario('uac-reinvite.xml') },
        remote: srv.remote,
        port: await freeUdpPort(),
        args: ['-s', 'svc'],
      });
      assert.equal(run.code, 0, run.report);
      const { ended } = await within(session, 'the session');
      assert.equal((await within(ended, 'the end')).reason, 'remote-bye');
      assert.deepEqual(
        changes.map((c) => `${c.by}:${c.remoteDirection}`),
        ['remote:sendonly', 'remote:sendrecv'],
      );
      assert.match(changes[0]?.localSdp ?? '', /a=recvonly/);
    } finally {
      await srv.stack.close();
    }
  });

  it('(f) sipp holds back its ACK: our 2xx is retransmitted until the ACK comes', async () => {
    const srv = await server();
    try {
      const confirmed = new Promise<Tracked>((resolve) => {
        srv.stack.ua.on('incoming', (inv) => {
          const t = track(inv.accept({ body: ANSWER }));
          t.session.once('confirmed', () => resolve(t));
        });
      });
      const run = await runSipp({
        scenario: { file: sippScenario('uac-late-ack.xml') },
        remote: srv.remote,
        port: await freeUdpPort(),
        // -nr: sipp neither retransmits nor swallows retransmissions, so the scenario sees our second 200.
        args: ['-s', 'svc', '-nr'],
      });
      assert.equal(run.code, 0, run.report);
      const { ended } = await within(confirmed, 'the ACK');
      assert.equal((await within(ended, 'the end')).reason, 'remote-bye');
      const oks = srv.sent.filter((m) => m === '200 INVITE').length;
      assert.ok(oks >= 2, `our 2xx was sent ${oks} time(s): ${srv.sent.join(', ')}`);
      assert.ok(countReceived(run.messages, 'SIP/2.0 200') >= 2, run.report);
    } finally {
      await srv.stack.close();
    }
  });
});

/**
 * Our UA core calls sipp (real, /usr/bin/sipp) over UDP on 127.0.0.1: sipp's built-in UAS
 * (`-sn uas`) for a full call we hang up, and a UAS scenario that ignores the first INVITE
 * so that the call only comes up through our Timer A retransmission. Each run is bounded
 * by sipp's `-timeout 20s` and a kill timer; sipp is killed if the test fails early.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSipStack, type SipStack } from '../../../src/sip/index.js';
import { countReceived, freeUdpPort, sippScenario, sippSkip, startSipp, waitForUdpBind } from '../../support/sipp.js';

const OFFER = [
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

interface Client {
  readonly stack: SipStack;
  /** Methods and statuses our stack sent. */
  readonly sent: string[];
}

async function client(): Promise<Client> {
  const stack = await createSipStack({ udpPort: 0, tcpPort: false });
  const sent: string[] = [];
  const send = stack.transport.send.bind(stack.transport);
  stack.transport.send = (data, destination) => {
    if (!(data instanceof Uint8Array)) sent.push(data.kind === 'request' ? data.method : String(data.status));
    return send(data, destination);
  };
  return { stack, sent };
}

describe('our UAC → sipp UAS (UDP)', { skip: sippSkip, timeout: 60_000 }, () => {
  it('(b) full call with sipp -sn uas: 180, 200 with SDP, ACK, our BYE answered 200', async () => {
    const c = await client();
    const port = await freeUdpPort();
    const sipp = startSipp({ scenario: { builtin: 'uas' }, port });
    try {
      await waitForUdpBind(port);
      const progress: number[] = [];
      const out = c.stack.ua.invite(`sip:svc@127.0.0.1:${port}`, { from: 'sip:dialtone@127.0.0.1', body: OFFER });
      out.on('progress', (r) => progress.push(r.status));
      const session = await out.session;
      assert.ok(progress.includes(180));
      assert.match(session.remoteSdp ?? '', /m=audio \d+ RTP\/AVP 0/);
      assert.equal(session.state, 'confirmed');
      await new Promise((r) => setTimeout(r, 100));
      const res = await session.bye();
      assert.equal(res?.status, 200);
      const run = await sipp.done;
      assert.equal(run.code, 0, run.report);
      assert.equal(countReceived(run.messages, 'ACK '), 1);
      assert.equal(c.sent[0], 'INVITE');
      assert.ok(c.sent.includes('ACK') && c.sent.at(-1) === 'BYE', c.sent.join(', '));
    } finally {
      sipp.kill();
      await c.stack.close();
    }
  });

  it('(f) sipp ignores the first INVITE: our Timer A retransmits it and the call still comes up', async () => {
    const c = await client();
    const port = await freeUdpPort();
    // -nr: the retransmitted INVITE reaches the scenario instead of being absorbed by sipp.
    const sipp = startSipp({ scenario: { file: sippScenario('uas-ignore-first-invite.xml') }, port, args: ['-nr'] });
    try {
      await waitForUdpBind(port);
      const out = c.stack.ua.invite(`sip:svc@127.0.0.1:${port}`, { from: 'sip:dialtone@127.0.0.1', body: OFFER });
      const session = await out.session;
      const invites = c.sent.filter((m) => m === 'INVITE').length;
      assert.ok(invites >= 2, `INVITE sent ${invites} time(s)`);
      const res = await session.bye();
      assert.equal(res?.status, 200);
      const run = await sipp.done;
      assert.equal(run.code, 0, run.report);
      assert.ok(countReceived(run.messages, 'INVITE ') >= 2, run.report);
    } finally {
      sipp.kill();
      await c.stack.close();
    }
  });
});

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { SipStreamFramer, getTopVia, type SipMessage, type SipResponse } from '../../../src/sip/message/index.js';
import type { InviteServerTransaction } from '../../../src/sip/transaction/invite-server.js';
import { startSipStack, type SipStack } from '../../support/sip-stack.js';
import { eventually } from '../../support/wait.js';
import { makeRequest } from '../../support/sip-builders.js';

/** A bare TCP connection that writes raw bytes and collects what comes back. */
async function rawConnection(port: number) {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const framer = new SipStreamFramer({ role: 'client' });
  const received: SipMessage[] = [];
  let pongs = 0;
  let closed = false;
  socket.on('data', (chunk: Buffer) => {
    for (const e of framer.push(chunk)) {
      if (e.type === 'message') received.push(e.message);
      if (e.type === 'pong') pongs++;
    }
  });
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  return {
    localPort: socket.localPort ?? 0,
    received,
    pongs: () => pongs,
    closed: () => closed,
    write: (text: string) => socket.write(text),
    close: () => socket.destroy(),
  };
}

interface OptionsSpec {
  readonly via?: string;
  readonly cseq?: string;
}

function options(callId: string, localPort: number, spec: OptionsSpec = {}): string {
  return `${[
    'OPTIONS sip:bob@127.0.0.1 SIP/2.0',
    `Via: ${spec.via ?? `SIP/2.0/TCP 127.0.0.1:${localPort}`};branch=z9hG4bK-${callId}`,
    'From: <sip:a@x>;tag=1',
    'To: <sip:b@x>',
    `Call-ID: ${callId}`,
    `CSeq: ${spec.cseq ?? '1 OPTIONS'}`,
    'Max-Forwards: 70',
    'Content-Length: 0',
  ].join('\r\n')}\r\n\r\n`;
}

describe('SIP over TCP on loopback', () => {
  let server: SipStack;
  let client: SipStack;

  before(async () => {
    server = await startSipStack({
      protocols: ['TCP'],
      onEvent: (e) => {
        if (e.type !== 'request') return;
        if (e.request.method === 'OPTIONS') e.transaction.reply(200);
        if (e.request.method === 'INVITE') e.transaction.reply(180);
      },
    });
    client = await startSipStack({ protocols: ['TCP'] });
  });
  after(async () => {
    await client.close();
    await server.close();
  });

  it('OPTIONS → 200 between two stacks, the response on the request’s connection', async () => {
    const req = makeRequest({ method: 'OPTIONS' });
    req.headers.delete('Via');
    const tx = client.layer.sendRequest(req, server.address('TCP'));
    assert.equal((await tx.final).status, 200);
    assert.equal(client.tcp?.connectionCount, 1);
    assert.equal(server.tcp?.connectionCount, 1, 'the server opened no connection of its own');

    const again = makeRequest({ method: 'OPTIONS' });
    again.headers.delete('Via');
    assert.equal((await client.layer.sendRequest(again, server.address('TCP')).final).status, 200);
    assert.equal(client.tcp?.connectionCount, 1, 'the connection is reused');
  });

  it('INVITE → 180 → 486 with ACK', async () => {
    const req = makeRequest({ method: 'INVITE' });
    req.headers.delete('Via');
    const seen: number[] = [];
    const tx = client.layer.sendRequest(req, server.address('TCP'), { response: (r) => seen.push(r.status) });
    await eventually(() => seen.includes(180), '180 Ringing');
    const event = server.events.find((e) => e.type === 'request' && e.request.method === 'INVITE');
    assert.ok(event?.type === 'request');
    const stx = event.transaction as InviteServerTransaction;
    stx.reply(486);
    assert.equal((await tx.final).status, 486);
    assert.equal(tx.state, 'terminated', 'Timer D is zero on TCP');
    await eventually(() => stx.state === 'terminated', 'the ACK (Timer I is zero on TCP)');
  });

  it('garbage closes that connection only', async () => {
    const port = server.address('TCP').port;
    const good = await rawConnection(port);
    const bad = await rawConnection(port);
    try {
      bad.write('THIS IS NOT SIP AT ALL\r\n\r\n');
      await eventually(() => bad.closed(), 'the garbage connection to close');
      good.write(options('still-alive', good.localPort));
      await eventually(() => good.received.length === 1, 'the 200 on the other connection');
      assert.equal((good.received[0] as SipResponse).status, 200);
      assert.equal(good.closed(), false);
    } finally {
      good.close();
      bad.close();
    }
  });

  it('a framed but malformed request gets 400 and the connection stays', async () => {
    const conn = await rawConnection(server.address('TCP').port);
    try {
      // CSeq method ≠ request method: validateRequest refuses it with 400.
      conn.write(options('cseq-mismatch', conn.localPort, { cseq: '1 INVITE' }));
      await eventually(() => conn.received.length === 1, 'the 400');
      assert.equal((conn.received[0] as SipResponse).status, 400);
      conn.write(options('after-400', conn.localPort));
      await eventually(() => conn.received.length === 2, 'the 200');
      assert.equal((conn.received[1] as SipResponse).status, 200);
    } finally {
      conn.close();
    }
  });

  it('answers a CRLFCRLF ping with a CRLF pong', async () => {
    const conn = await rawConnection(server.address('TCP').port);
    try {
      conn.write('\r\n\r\n');
      await eventually(() => conn.pongs() === 1, 'the pong');
    } finally {
      conn.close();
    }
  });

  it('fills in received and rport on TCP too', async () => {
    const conn = await rawConnection(server.address('TCP').port);
    try {
      const before = server.events.length;
      conn.write(options('rport-tcp', conn.localPort, { via: 'SIP/2.0/TCP 192.0.2.9:5060;rport' }));
      await eventually(() => conn.received.length === 1, 'the 200');
      const event = server.events[before];
      assert.ok(event?.type === 'request');
      const via = getTopVia(event.request);
      assert.equal(via?.received, '127.0.0.1');
      assert.equal(via?.rport, conn.localPort);
    } finally {
      conn.close();
    }
  });

  it('closes an idle connection', async () => {
    const idle = await startSipStack({ protocols: ['TCP'], tcp: { idleTimeoutMs: 100 } });
    try {
      const conn = await rawConnection(idle.address('TCP').port);
      await eventually(() => conn.closed(), 'the idle connection to be closed');
      assert.equal(idle.tcp?.connectionCount, 0);
    } finally {
      await idle.close();
    }
  });
});

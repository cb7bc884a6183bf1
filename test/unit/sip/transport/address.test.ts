import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getTopVia } from '../../../../src/sip/message/index.js';
import { normalizeAddress, responseTarget, stampReceived } from '../../../../src/sip/transport/address.js';
import { screenMessage } from '../../../../src/sip/transport/inbound.js';
import { isCrlfKeepAlive, isStun } from '../../../../src/sip/transport/udp.js';
import type { Flow } from '../../../../src/sip/transport/types.js';
import { makeRequest } from '../../../support/sip-builders.js';

const udpFlow = (host: string, port: number): Flow => ({
  id: `udp:${host}:${port}`,
  transport: 'UDP',
  local: { host: '127.0.0.1', port: 5060 },
  remote: { host, port },
});

describe('Via stamping (RFC 3261 §18.2.1, RFC 3581 §4)', () => {
  it('adds received when sent-by is not the source address', () => {
    const req = makeRequest({ sentBy: 'pc33.example.com:5070' });
    stampReceived(req, { host: '192.0.2.4', port: 5070 });
    const via = getTopVia(req);
    assert.equal(via?.received, '192.0.2.4');
    assert.equal(via?.rport, undefined);
  });

  it('adds nothing when sent-by is the source address and rport is not asked for', () => {
    const req = makeRequest({ sentBy: '192.0.2.4:5070' });
    const before = req.headers.get('Via');
    stampReceived(req, { host: '192.0.2.4', port: 5070 });
    assert.equal(req.headers.get('Via'), before);
  });

  it('fills rport with the source port and always adds received', () => {
    const req = makeRequest({ sentBy: '192.0.2.4:5070' });
    req.headers.set('Via', 'SIP/2.0/UDP 192.0.2.4:5070;branch=z9hG4bK-x;rport, SIP/2.0/UDP proxy:5060;branch=z9hG4bK-y');
    stampReceived(req, { host: '192.0.2.4', port: 40123 });
    const via = getTopVia(req);
    assert.equal(via?.rport, 40123);
    assert.equal(via?.received, '192.0.2.4');
    assert.match(req.headers.get('Via') ?? '', /, SIP\/2\.0\/UDP proxy:5060;branch=z9hG4bK-y$/, 'other values kept');
  });

  it('normalizes IPv4-mapped and bracketed addresses', () => {
    assert.equal(normalizeAddress('::ffff:10.0.0.1'), '10.0.0.1');
    assert.equal(normalizeAddress('[2001:db8::1]'), '2001:db8::1');
  });
});

describe('response target (RFC 3261 §18.2.2, RFC 3581 §4)', () => {
  it('UDP with rport: received and rport', () => {
    const req = makeRequest();
    req.headers.set('Via', 'SIP/2.0/UDP 10.1.1.1:5070;branch=z9hG4bK-a;rport');
    stampReceived(req, { host: '198.51.100.3', port: 31000 });
    assert.deepEqual(responseTarget(req, { source: { host: '198.51.100.3', port: 31000 }, flow: udpFlow('198.51.100.3', 31000) }), {
      host: '198.51.100.3',
      port: 31000,
      transport: 'UDP',
      flowId: 'udp:198.51.100.3:31000',
    });
  });

  it('UDP without rport: received at the sent-by port, 5060 by default', () => {
    const req = makeRequest();
    req.headers.set('Via', 'SIP/2.0/UDP host.example.com;branch=z9hG4bK-b');
    stampReceived(req, { host: '198.51.100.3', port: 31000 });
    const t = responseTarget(req, { source: { host: '198.51.100.3', port: 31000 }, flow: udpFlow('198.51.100.3', 31000) });
    assert.equal(t.host, '198.51.100.3');
    assert.equal(t.port, 5060);
  });

  it('TCP: the flow first, the sent-by port as fallback', () => {
    const req = makeRequest({ transport: 'TCP', sentBy: '10.0.0.5:5080' });
    const flow: Flow = { id: 'tcp-3', transport: 'TCP', local: { host: '127.0.0.1', port: 5060 }, remote: { host: '10.0.0.5', port: 45555 } };
    assert.deepEqual(responseTarget(req, { source: flow.remote, flow }), { host: '10.0.0.5', port: 5080, transport: 'TCP', flowId: 'tcp-3' });
  });
});

describe('inbound screening', () => {
  it('refuses a request with a CSeq method that is not its method, with 400', () => {
    const req = makeRequest({ method: 'OPTIONS' });
    req.headers.set('CSeq', '1 INVITE');
    const s = screenMessage(req, { host: '127.0.0.2', port: 5062 });
    assert.equal(s.action, 'reject');
    assert.equal(s.action === 'reject' && s.response.status, 400);
  });

  it('drops a bad ACK instead of answering it', () => {
    const req = makeRequest({ method: 'ACK' });
    req.headers.set('CSeq', '1 INVITE');
    assert.equal(screenMessage(req, { host: '127.0.0.2', port: 5062 }).action, 'drop');
  });
});

describe('UDP keep-alives', () => {
  it('recognizes CRLF keep-alives and STUN', () => {
    assert.equal(isCrlfKeepAlive(Buffer.from('\r\n\r\n')), true);
    assert.equal(isCrlfKeepAlive(Buffer.from('OPTIONS')), false);
    const stun = Buffer.alloc(20);
    stun.writeUInt16BE(0x0001, 0); // Binding request
    stun.writeUInt32BE(0x2112a442, 4);
    assert.equal(isStun(stun), true);
    assert.equal(isStun(Buffer.from('OPTIONS sip:x SIP/2.0\r\n\r\n')), false);
  });
});

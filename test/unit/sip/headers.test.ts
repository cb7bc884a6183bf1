import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  SipHeaders,
  type HasHeaders,
  splitHeaderList,
  parseVia,
  parseViaList,
  formatVia,
  withViaParams,
  getVias,
  getTopVia,
  replaceTopVia,
  getFrom,
  getTo,
  getContacts,
  getRoutes,
  getRecordRoutes,
  getCallId,
  getCSeq,
  parseCSeq,
  getMaxForwards,
  getContentLength,
  getContentType,
  getExpires,
  getAllow,
  getSupported,
  getRequire,
  getProxyRequire,
  getAccept,
  getAuthorization,
  getProxyAuthorization,
  getWwwAuthenticate,
  getProxyAuthenticate,
  parseAuthValue,
  toDigestChallenge,
  toDigestCredentials,
  formatUri,
} from '../../../src/sip/message/index.js';

const msg = (lines: readonly (readonly [string, string])[]): HasHeaders => ({ headers: new SipHeaders(lines) });

describe('SipHeaders', () => {
  it('appends, prepends, sets, deletes and keeps order', () => {
    const h = new SipHeaders([
      ['Via', 'a'],
      ['To', 't'],
      ['v', 'b'],
    ]);
    h.prepend('VIA', 'top');
    assert.deepEqual(h.getAll('via'), ['top', 'a', 'b']);
    h.set('Via', 'only');
    assert.deepEqual([...h].map((f) => `${f.name}:${f.value}`), ['Via:only', 'To:t']);
    h.append('X-New', '1');
    assert.equal(h.delete('to'), true);
    assert.equal(h.delete('to'), false);
    assert.deepEqual([...h].map((f) => f.name), ['Via', 'X-New']);
    assert.equal(h.setAt('Via', 0, 'changed'), true);
    assert.equal(h.setAt('Via', 1, 'nope'), false);
    assert.equal(h.get('v'), 'changed');
    assert.equal(h.size, 2);
  });

  it('clones without sharing', () => {
    const a = new SipHeaders([['To', 't']]);
    const b = a.clone();
    b.set('To', 'changed');
    assert.equal(a.get('To'), 't');
  });

  it('memoizes a derived value until the list changes', () => {
    const m = msg([['Via', 'SIP/2.0/UDP a;branch=z9hG4bK1']]);
    const first = getVias(m);
    assert.equal(getVias(m), first);
    m.headers.append('Via', 'SIP/2.0/UDP b;branch=z9hG4bK2');
    const second = getVias(m);
    assert.notEqual(second, first);
    assert.equal(second?.length, 2);
  });

  it('splits lists at commas outside quotes and angle brackets', () => {
    assert.deepEqual(splitHeaderList('"a, b" <sip:x@y;p=1,2>;q=1 , <sip:z@w>'), ['"a, b" <sip:x@y;p=1,2>;q=1', '<sip:z@w>']);
    assert.deepEqual(splitHeaderList('"esc \\" ,still" <sip:a@b>, c'), ['"esc \\" ,still" <sip:a@b>', 'c']);
    assert.deepEqual(splitHeaderList('a,,b'), ['a', '', 'b']);
    assert.deepEqual(splitHeaderList(''), ['']);
  });
});

describe('Via', () => {
  it('parses sent-protocol, sent-by and the parameters the stack uses', () => {
    const v = parseVia('SIP/2.0/udp 192.0.2.1:5060;branch=z9hG4bK776;received=198.51.100.7;rport=6060;maddr=x');
    assert.ok(v);
    assert.equal(v.protocol, 'SIP');
    assert.equal(v.version, '2.0');
    assert.equal(v.transport, 'UDP');
    assert.equal(v.host, '192.0.2.1');
    assert.equal(v.port, 5060);
    assert.equal(v.branch, 'z9hG4bK776');
    assert.equal(v.received, '198.51.100.7');
    assert.equal(v.rport, 6060);
  });

  it('tells a requested rport (no value) from an absent one', () => {
    assert.equal(parseVia('SIP/2.0/UDP h;rport;branch=z9hG4bK1')?.rport, null);
    assert.equal(parseVia('SIP/2.0/UDP h;branch=z9hG4bK1')?.rport, undefined);
  });

  it('parses IPv6 sent-by and received (RFC 5118)', () => {
    const v = parseVia('SIP/2.0/TCP [2001:db8::9:1]:5061;branch=z9hG4bKas3-111;received=2001:db8::9:255');
    assert.equal(v?.host, '[2001:db8::9:1]');
    assert.equal(v?.port, 5061);
    assert.equal(v?.received, '2001:db8::9:255');
  });

  it('accepts LWS around "/", ":" and ";"', () => {
    const v = parseVia('SIP  /  2.0  / TCP  host.example.com : 5062 ; branch = z9hG4bK9');
    assert.equal(v?.transport, 'TCP');
    assert.equal(v?.port, 5062);
    assert.equal(v?.branch, 'z9hG4bK9');
  });

  for (const bad of [
    'SIP/2.0/UDP',
    'SIP/2.0 UDP host',
    'SIP/2.0/UDPhost',
    'SIP/2.0/UDP host;;',
    'SIP/2.0/UDP host;branch',
    'SIP/2.0/UDP host;branch=',
    'SIP/2.0/UDP host:99999',
    'SIP/2.0/UDP host;rport=abc',
    'SIP/2.0/UDP [zz::1]',
    'SIP/2.0/UDP host garbage',
  ]) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.equal(parseVia(bad), undefined));
  }

  it('merges comma lists and separate lines, top first', () => {
    const m = msg([
      ['Via', 'SIP/2.0/UDP a;branch=z9hG4bK1 , SIP/2.0/UDP b;branch=z9hG4bK2'],
      ['Via', 'SIP/2.0/TCP c;branch=z9hG4bK3'],
    ]);
    assert.deepEqual(getVias(m)?.map((v) => v.host), ['a', 'b', 'c']);
    assert.equal(getTopVia(m)?.branch, 'z9hG4bK1');
    assert.equal(parseViaList('SIP/2.0/UDP a, SIP/2.0/UDP b;;')?.length, undefined);
  });

  it('formats, adds received/rport, and replaces the top value in place', () => {
    const m = msg([['Via', 'SIP/2.0/UDP a:5060;rport;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2']]);
    const top = getTopVia(m);
    assert.ok(top);
    const updated = withViaParams(top, { received: '203.0.113.9', rport: 40000 });
    assert.equal(formatVia(updated), 'SIP/2.0/UDP a:5060;rport=40000;branch=z9hG4bK1;received=203.0.113.9');
    assert.equal(replaceTopVia(m, updated), true);
    assert.equal(m.headers.get('Via'), 'SIP/2.0/UDP a:5060;rport=40000;branch=z9hG4bK1;received=203.0.113.9, SIP/2.0/UDP b;branch=z9hG4bK2');
    assert.equal(getTopVia(m)?.rport, 40000);
    assert.equal(replaceTopVia(msg([]), updated), false);
  });
});

describe('From / To / Contact / Route', () => {
  it('reads From and To with tags', () => {
    const m = msg([
      ['From', '"Alice" <sip:alice@atlanta.example.com>;tag=88sja8x'],
      ['To', 'sip:bob@biloxi.example.com'],
    ]);
    assert.equal(getFrom(m)?.displayName, 'Alice');
    assert.equal(getFrom(m)?.tag, '88sja8x');
    assert.equal(getTo(m)?.tag, undefined);
    const to = getTo(m)?.uri;
    assert.equal(to && formatUri(to), 'sip:bob@biloxi.example.com');
  });

  it('reads a Contact list across lines, and the * wildcard alone', () => {
    const m = msg([
      ['Contact', '<sip:a@h1>;expires=60, "B" <sip:b@h2>;q=0.5'],
      ['m', 'sip:c@h3;unknownparam'],
    ]);
    const c = getContacts(m);
    assert.equal(c?.wildcard, false);
    assert.deepEqual(c?.contacts.map((x) => formatUri(x.uri)), ['sip:a@h1', 'sip:b@h2', 'sip:c@h3']);
    assert.deepEqual(c?.contacts[2]?.params, [{ name: 'unknownparam', value: null }]);
    assert.deepEqual(getContacts(msg([['Contact', '*']])), { wildcard: true, contacts: [] });
    assert.equal(getContacts(msg([['Contact', '*, <sip:a@b>']])), undefined);
    assert.equal(getContacts(msg([])), undefined);
  });

  it('reads Route and Record-Route lists (name-addr only)', () => {
    const m = msg([
      ['Record-Route', '<sip:p1.example.com;lr>, <sip:p2.example.com;lr>'],
      ['Route', '<sip:p3.example.com;lr>'],
      ['Record-Route', '<sip:p4.example.com;lr>'],
    ]);
    assert.deepEqual(getRecordRoutes(m)?.map((r) => formatUri(r.uri)), [
      'sip:p1.example.com;lr',
      'sip:p2.example.com;lr',
      'sip:p4.example.com;lr',
    ]);
    assert.equal(getRoutes(m)?.length, 1);
    assert.deepEqual(getRoutes(msg([])), []);
    assert.equal(getRoutes(msg([['Route', 'sip:no-brackets.example.com']])), undefined);
  });
});

describe('Call-ID, CSeq and numbers', () => {
  it('reads Call-ID words', () => {
    assert.equal(getCallId(msg([['i', 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com']])), 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com');
    assert.equal(getCallId(msg([['Call-ID', 'has space']])), undefined);
    assert.equal(getCallId(msg([['Call-ID', 'a@b@c']])), undefined);
    assert.equal(getCallId(msg([['Call-ID', '']])), undefined);
  });

  it('reads CSeq and enforces its range (< 2^31)', () => {
    assert.deepEqual(parseCSeq('0009  INVITE'), { seq: 9, method: 'INVITE' });
    assert.deepEqual(parseCSeq('2147483647 BYE'), { seq: 2147483647, method: 'BYE' });
    assert.equal(parseCSeq('2147483648 BYE'), undefined);
    assert.equal(parseCSeq('36893488147419103232 REGISTER'), undefined);
    assert.equal(parseCSeq('1INVITE'), undefined);
    assert.equal(parseCSeq('1 INVITE extra'), undefined);
    assert.equal(parseCSeq('-1 INVITE'), undefined);
    assert.deepEqual(getCSeq(msg([['cseq', '1 ACK']])), { seq: 1, method: 'ACK' });
  });

  it('reads Max-Forwards (0–255), Content-Length and Expires', () => {
    assert.equal(getMaxForwards(msg([['Max-Forwards', '0068']])), 68);
    assert.equal(getMaxForwards(msg([['Max-Forwards', '300']])), undefined);
    assert.equal(getContentLength(msg([['l', '12']])), 12);
    assert.equal(getExpires(msg([['Expires', '3600']])), 3600);
    assert.equal(getExpires(msg([['Expires', '1' + '0'.repeat(100)]])), undefined);
  });
});

describe('Content-Type, Accept and token lists', () => {
  it('reads a media type with parameters', () => {
    const t = getContentType(msg([['c', 'Multipart/Mixed ; boundary=7a9cbec02ceef655']]));
    assert.equal(t?.mediaType, 'multipart/mixed');
    assert.deepEqual(t?.params, [{ name: 'boundary', value: '7a9cbec02ceef655' }]);
    assert.equal(getContentType(msg([['Content-Type', 'application']])), undefined);
  });

  it('reads Accept ranges', () => {
    assert.deepEqual(
      getAccept(msg([['Accept', 'application/sdp, application/*;q=0.5']]))?.map((t) => t.mediaType),
      ['application/sdp', 'application/*'],
    );
    assert.deepEqual(getAccept(msg([['Accept', '']])), []);
  });

  it('reads Allow, Supported, Require and Proxy-Require', () => {
    const m = msg([
      ['Allow', 'INVITE, ACK,BYE'],
      ['Allow', 'OPTIONS'],
      ['k', '100rel, timer'],
      ['Require', 'foo'],
      ['Proxy-Require', 'bar, baz'],
    ]);
    assert.deepEqual(getAllow(m), ['INVITE', 'ACK', 'BYE', 'OPTIONS']);
    assert.deepEqual(getSupported(m), ['100rel', 'timer']);
    assert.deepEqual(getRequire(m), ['foo']);
    assert.deepEqual(getProxyRequire(m), ['bar', 'baz']);
    assert.deepEqual(getSupported(msg([['Supported', '']])), []);
    assert.equal(getSupported(msg([])), undefined);
    assert.equal(getAllow(msg([['Allow', 'INVITE, "bad"']])), undefined);
  });
});

describe('authentication headers', () => {
  it('reads a Digest challenge, qop options split', () => {
    const m = msg([
      ['WWW-Authenticate', 'Digest realm="atlanta.example.com", qop="auth,auth-int", nonce="ea9c8e88df84f1cec4341ae6cbe5a359", opaque="", stale=FALSE, algorithm=MD5'],
      ['WWW-Authenticate', 'Digest realm="atlanta.example.com", nonce="n2", algorithm=SHA-256'],
    ]);
    const challenges = getWwwAuthenticate(m);
    assert.equal(challenges?.length, 2);
    const d = challenges?.[0] && toDigestChallenge(challenges[0]);
    assert.deepEqual(d, {
      realm: 'atlanta.example.com',
      nonce: 'ea9c8e88df84f1cec4341ae6cbe5a359',
      opaque: '',
      algorithm: 'MD5',
      qop: ['auth', 'auth-int'],
      stale: false,
      domain: undefined,
    });
    assert.equal(challenges?.[1] && toDigestChallenge(challenges[1])?.algorithm, 'SHA-256');
  });

  it('reads Digest credentials with quoted-pairs', () => {
    const m = msg([
      [
        'Proxy-Authorization',
        'Digest username="bob\\"s", realm="biloxi.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="sip:bob@biloxi.com", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
      ],
    ]);
    const c = getProxyAuthorization(m)?.[0];
    const d = c && toDigestCredentials(c);
    assert.equal(d?.username, 'bob"s');
    assert.equal(d?.qop, 'auth');
    assert.equal(d?.nc, '00000001');
    assert.equal(d?.uri, 'sip:bob@biloxi.com');
  });

  it('keeps unknown schemes and token68 forms readable', () => {
    const unknown = parseAuthValue('NoOneKnowsThisScheme opaque-data=here');
    assert.deepEqual(unknown, { scheme: 'NoOneKnowsThisScheme', params: [{ name: 'opaque-data', value: 'here' }], token68: undefined });
    assert.equal(unknown && toDigestChallenge(unknown), undefined);
    assert.equal(parseAuthValue('Bearer eyJhbGciOi.JIUzI1NiJ9==')?.token68, 'eyJhbGciOi.JIUzI1NiJ9==');
    assert.equal(parseAuthValue('Digest realm="unterminated'), undefined);
    assert.equal(parseAuthValue('Digest realm=, nonce="n"'), undefined);
    assert.equal(parseAuthValue('Digest realm="r" nonce="n"'), undefined);
    assert.deepEqual(getAuthorization(msg([])), []);
    assert.deepEqual(getProxyAuthenticate(msg([])), []);
  });
});

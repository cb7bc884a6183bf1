import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  type SipUri,
  parseUri,
  formatUri,
  parseNameAddr,
  formatNameAddr,
  withParam,
  uriParam,
  unescapeUriPart,
  sipUriEquals,
} from '../../../src/sip/message/index.js';

function sip(text: string): SipUri {
  const u = parseUri(text);
  assert.ok(u, `should parse: ${text}`);
  assert.equal(u.kind, 'sip');
  return u as SipUri;
}

describe('parseUri: SIP and SIPS', () => {
  it('reads every part', () => {
    const u = sip('sips:alice:secret@atlanta.example.com:5061;transport=tcp;lr?subject=project%20x&priority=urgent');
    assert.equal(u.scheme, 'sips');
    assert.equal(u.user, 'alice');
    assert.equal(u.password, 'secret');
    assert.equal(u.host, 'atlanta.example.com');
    assert.equal(u.port, 5061);
    assert.deepEqual(u.params, [
      { name: 'transport', value: 'tcp' },
      { name: 'lr', value: null },
    ]);
    assert.deepEqual(u.headers, [
      { name: 'subject', value: 'project%20x' },
      { name: 'priority', value: 'urgent' },
    ]);
    assert.equal(uriParam(u, 'TRANSPORT'), 'tcp');
    assert.equal(uriParam(u, 'lr'), null);
    assert.equal(uriParam(u, 'maddr'), undefined);
  });

  it('reads host-only URIs, IPv4 and IPv6 hosts', () => {
    assert.deepEqual(sip('sip:example.com'), {
      kind: 'sip',
      scheme: 'sip',
      user: undefined,
      password: undefined,
      host: 'example.com',
      port: undefined,
      params: [],
      headers: [],
    });
    assert.equal(sip('sip:192.0.2.4:5060').port, 5060);
    const v6 = sip('sip:[2001:db8::10]:5070;maddr=[2001:db8::1]');
    assert.equal(v6.host, '[2001:db8::10]');
    assert.equal(v6.port, 5070);
    assert.equal(uriParam(v6, 'maddr'), '[2001:db8::1]');
    assert.equal(sip('sip:user@[::ffff:192.0.2.1]').host, '[::ffff:192.0.2.1]');
  });

  it('keeps escapes as written and lowers the scheme', () => {
    const u = sip('SIP:sips%3Auser%40example.com@example.net');
    assert.equal(u.scheme, 'sip');
    assert.equal(u.user, 'sips%3Auser%40example.com');
    assert.equal(unescapeUriPart(u.user ?? ''), 'sips:user@example.com');
    assert.equal(unescapeUriPart('null-%00-null'), 'null-\u0000-null');
    assert.equal(unescapeUriPart('caf%C3%A9'), 'café');
    assert.equal(unescapeUriPart('100%'), '100%');
  });

  it('allows the user-unreserved characters, including ; ? / in the user part', () => {
    const u = sip("sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com");
    assert.equal(u.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    assert.equal(u.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    assert.equal(sip('sip:user;par=u%40example.net@example.com').user, 'user;par=u%40example.net');
    assert.equal(sip('sip:+1-212-555-1212;phone-context=example.com@gw.example.com;user=phone').user, '+1-212-555-1212;phone-context=example.com');
  });

  for (const bad of [
    'sip:',
    'sip:@example.com',
    'sip:user@',
    'sip:user@host:99999',
    'sip:user@host:',
    'sip:us er@host',
    'sip:user@host;',
    'sip:user@host;p=',
    'sip:user@host?',
    'sip:user@host?x',
    'sip:user@ho st',
    'sip:us%zzer@host',
    'sip:user@host%41',
    'sip:user@[::1',
    'sip:user@[]',
    'sip:user@host>',
    'sip:<user@host>',
    '<sip:user@host>',
    'sip:user@host;lr garbage',
  ]) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.equal(parseUri(bad), undefined));
  }
});

describe('parseUri: TEL and other schemes', () => {
  it('reads tel URIs (RFC 3966)', () => {
    assert.deepEqual(parseUri('tel:+1-201-555-0123;ext=1234;phone-context=example.com'), {
      kind: 'tel',
      scheme: 'tel',
      number: '+1-201-555-0123',
      params: [
        { name: 'ext', value: '1234' },
        { name: 'phone-context', value: 'example.com' },
      ],
    });
    assert.equal(parseUri('tel:7042;phone-context=+1-201')?.kind, 'tel');
    assert.equal(parseUri('tel:'), undefined);
    assert.equal(parseUri('tel:12 34'), undefined);
    assert.equal(parseUri('tel:abc!'), undefined);
  });

  it('keeps other schemes opaque', () => {
    assert.deepEqual(parseUri('isbn:2983792873'), { kind: 'absolute', scheme: 'isbn', opaque: '2983792873' });
    assert.deepEqual(parseUri('soap.beep://192.0.2.103:3002'), { kind: 'absolute', scheme: 'soap.beep', opaque: '//192.0.2.103:3002' });
    assert.equal(parseUri('http://www.example.com/a b'), undefined);
    assert.equal(parseUri('1abc:x'), undefined);
    assert.equal(parseUri('noscheme'), undefined);
    assert.equal(parseUri('x:'), undefined);
  });

  it('formats every kind back to the same text', () => {
    for (const text of [
      'sip:alice@atlanta.example.com',
      'sips:alice:pw@[2001:db8::1]:5061;transport=tls;lr?Route=%3Csip:p.example.com%3E&x=',
      'sip:%00%00@host5.example.com',
      'sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31',
      'tel:+1-201-555-0123;ext=1',
      'urn:service:sos',
    ]) {
      const u = parseUri(text);
      assert.ok(u, text);
      assert.equal(formatUri(u), text.replace(/^SIP/, 'sip'));
    }
  });
});

describe('sipUriEquals (RFC 3261 §19.1.4 examples)', () => {
  const same: readonly [string, string][] = [
    ['sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;security=on'],
    ['sip:carol@chicago.com;newparam=5', 'sip:carol@chicago.com;security=on'],
    [
      'sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com',
      'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com',
    ],
    ['sip:alice@atlanta.com?subject=project%20x&priority=urgent', 'sip:alice@atlanta.com?priority=urgent&subject=project%20x'],
  ];
  const different: readonly [string, string][] = [
    ['SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:6000;transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting'],
    ['sip:bob@phone21.boxesbybob.com', 'sip:bob@192.0.2.4'],
    ['sip:a@b', 'sips:a@b'],
    ['sip:a@b;user=phone', 'sip:a@b'],
  ];
  for (const [a, b] of same) it(`${a} = ${b}`, () => assert.equal(sipUriEquals(sip(a), sip(b)), true));
  for (const [a, b] of different) it(`${a} ≠ ${b}`, () => assert.equal(sipUriEquals(sip(a), sip(b)), false));
});

describe('parseNameAddr', () => {
  it('reads a quoted display name with quoted-pairs', () => {
    const a = parseNameAddr('"J Rosenberg \\\\\\""       <sip:jdrosen@example.com> ; tag = 98asjd8');
    assert.equal(a?.displayName, 'J Rosenberg \\"');
    assert.equal(a?.tag, '98asjd8');
    const b = parseNameAddr('"BEL:\\\u0007 NUL:\\\u0000 DEL:\\\u007f" <sip:x@example.com>');
    assert.equal(b?.displayName, 'BEL:\u0007 NUL:\u0000 DEL:\u007f');
  });

  it('reads token display names (joined by one space), with or without LWS before <', () => {
    assert.equal(parseNameAddr("token1~` token2'+_   token3*%!.- <sip:m@example.com>")?.displayName, "token1~` token2'+_ token3*%!.-");
    assert.equal(parseNameAddr('caller<sip:caller@example.com>;tag=323')?.displayName, 'caller');
    assert.equal(parseNameAddr('<sip:a@b>')?.displayName, undefined);
    assert.equal(parseNameAddr('"" <sip:a@b>')?.displayName, '');
  });

  it('gives addr-spec parameters to the header, name-addr URI parameters to the URI', () => {
    const spec = parseNameAddr('sip:+19725552222@gw1.example.net;unknownparam');
    assert.deepEqual(spec?.params, [{ name: 'unknownparam', value: null }]);
    assert.deepEqual(spec?.uri.kind === 'sip' && spec.uri.params, []);
    const addr = parseNameAddr('<sip:+19725552222@gw1.example.net;unknownparam>');
    assert.deepEqual(addr?.params, []);
    assert.deepEqual(addr?.uri.kind === 'sip' && addr.uri.params, [{ name: 'unknownparam', value: null }]);
  });

  it('keeps quoted parameter values with their quotes, and non-SIP URIs', () => {
    const a = parseNameAddr('<sip:a@b>;+sip.instance="<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>";expires=3600');
    assert.equal(a?.params[0]?.value, '"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>"');
    assert.equal(parseNameAddr('isbn:2983792873')?.uri.kind, 'absolute');
    assert.equal(parseNameAddr('<http://www.example.com>;tag=3234233')?.tag, '3234233');
    assert.equal(parseNameAddr('<tel:+15551234>')?.uri.kind, 'tel');
  });

  for (const bad of [
    '"Mr. J. User <sip:j.user@example.com>',
    'Watson, Thomas <sip:t.watson@example.org>',
    '"Watson, Thomas" < sip:t.watson@example.org >',
    'sip:user@example.com?Route=%3Csip:sip.example.com%3E',
    '"Joe" <sip:joe@example.org>;;;;',
    '<sip:a@b',
    '"x" sip:a@b',
    '<>',
    '',
    '<sip:a@b>;tag=',
    '<sip:a@b> junk',
  ]) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.equal(parseNameAddr(bad), undefined));
  }

  it('formats with quotes and brackets, and sets parameters', () => {
    const a = parseNameAddr('Bob <sip:bob@biloxi.example.com>');
    assert.ok(a);
    assert.equal(formatNameAddr(a), '"Bob" <sip:bob@biloxi.example.com>');
    const tagged = withParam(a, 'tag', 'a6c85cf');
    assert.equal(tagged.tag, 'a6c85cf');
    assert.equal(formatNameAddr(tagged), '"Bob" <sip:bob@biloxi.example.com>;tag=a6c85cf');
    const weird = { ...a, displayName: 'say "hi"\\\r\n\u0001' };
    const round = parseNameAddr(formatNameAddr(weird));
    assert.equal(round?.displayName, 'say "hi"\\  \u0001');
  });
});

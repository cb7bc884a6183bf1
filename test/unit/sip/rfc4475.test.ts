import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { RFC4475_CASES, type TortureCase } from '../../fixtures/sip/rfc4475/cases.js';
import {
  type SipMessage,
  type SipRequest,
  type SipResponse,
  type SipUri,
  parseMessage,
  serializeMessage,
  validateRequest,
  validateResponse,
  rejectionResponse,
  buildErrorResponse,
  parseUri,
  formatUri,
  unescapeUriPart,
  getVias,
  getFrom,
  getTo,
  getContacts,
  getCSeq,
  getCallId,
  getMaxForwards,
  getRoutes,
  getRecordRoutes,
  getContentType,
  getAuthorization,
  getTopVia,
  getExpires,
  uriParam,
} from '../../../src/sip/message/index.js';

const ROOT = new URL('../../fixtures/sip/rfc4475/', import.meta.url);
const load = (c: TortureCase): Buffer => readFileSync(new URL(c.file, ROOT));

function parsed(name: string): SipMessage {
  const c = RFC4475_CASES.find((x) => x.name === name);
  assert.ok(c, name);
  const r = parseMessage(load(c));
  if (!r.ok) assert.fail(`${name}: ${r.error.code} ${r.error.message}`);
  return r.message;
}
const request = (name: string): SipRequest => {
  const m = parsed(name);
  assert.equal(m.kind, 'request');
  return m as SipRequest;
};
const response = (name: string): SipResponse => {
  const m = parsed(name);
  assert.equal(m.kind, 'response');
  return m as SipResponse;
};
const sipUri = (text: string): SipUri => {
  const u = parseUri(text);
  assert.ok(u?.kind === 'sip', text);
  return u;
};

describe('RFC 4475 fixtures', () => {
  it('has every message of RFC 4475 §3 in the table, and every table row on disk', () => {
    const onDisk = ['valid', 'invalid'].flatMap((d) =>
      readdirSync(new URL(`${d}/`, ROOT))
        .filter((f) => f.endsWith('.dat'))
        .map((f) => `${d}/${f}`),
    );
    assert.equal(RFC4475_CASES.length, 49);
    assert.deepEqual([...onDisk].sort(), RFC4475_CASES.map((c) => c.file).sort());
    assert.equal(new Set(RFC4475_CASES.map((c) => c.section)).size, 49);
  });

  it('is deep-frozen', () => {
    assert.ok(Object.isFrozen(RFC4475_CASES));
    assert.ok(RFC4475_CASES.every((c) => Object.isFrozen(c) && Object.isFrozen(c.outcome)));
  });
});

describe('RFC 4475 outcomes (datagram, default UAS / UAC policy)', () => {
  for (const c of RFC4475_CASES) {
    const o = c.outcome;
    const label =
      o.parse === 'error'
        ? `parse error ${o.code} → ${o.answer}`
        : o.verdict === 'accept'
          ? 'accepted'
          : o.verdict === 'drop'
            ? `dropped (${o.check})`
            : `${o.status} (${o.check})`;
    it(`${c.section} ${c.name}: ${label}`, () => {
      const r = parseMessage(load(c));
      if (o.parse === 'error') {
        assert.equal(r.ok, false, 'must not parse');
        if (r.ok) return;
        assert.equal(r.error.code, o.code);
        const answer = buildErrorResponse(r.error);
        if (o.answer === 'drop') {
          assert.equal(r.error.responseStatus(), undefined);
          assert.equal(answer, undefined);
        } else {
          assert.equal(r.error.responseStatus(), 400);
          assert.equal(answer?.status, 400);
          // §8.2.6: the 400 goes back along the request's Via, in the same call.
          assert.deepEqual(answer?.headers.getAll('Via'), r.error.partial?.headers.getAll('Via'));
          assert.equal(answer?.headers.get('Call-ID'), r.error.partial?.headers.get('Call-ID'));
          assert.equal(answer?.headers.get('CSeq'), r.error.partial?.headers.get('CSeq'));
        }
        return;
      }
      if (!r.ok) assert.fail(`must parse: ${r.error.code} ${r.error.message}`);
      const m = r.message;
      assert.equal(m.kind, o.kind);
      if (m.kind === 'request' && o.kind === 'request') {
        const v = validateRequest(m);
        if (o.verdict === 'accept') {
          assert.deepEqual(v, { ok: true });
        } else {
          assert.equal(v.ok, false);
          if (v.ok) return;
          assert.equal(v.status, o.status);
          assert.equal(v.check, o.check);
          const answer = rejectionResponse(m, v, 'tortured');
          assert.equal(answer?.status, o.status);
          assert.deepEqual(answer?.headers.getAll('Via'), m.headers.getAll('Via'));
        }
      } else if (m.kind === 'response' && o.kind === 'response') {
        const v = validateResponse(m);
        if (o.verdict === 'accept') assert.deepEqual(v, { ok: true });
        else assert.deepEqual(v.ok ? undefined : v.check, o.check);
      }
      // Whatever parses survives serialize → parse unchanged.
      const again = parseMessage(serializeMessage(m));
      assert.ok(again.ok);
      if (again.ok) {
        assert.deepEqual([...again.message.headers].filter((h) => h.name !== 'Content-Length'), [...m.headers].filter((h) => h.name !== 'Content-Length'));
        assert.deepEqual(Buffer.from(again.message.body), Buffer.from(m.body));
      }
    });
  }
});

describe('RFC 4475 §3.1.1 valid messages: what the parser reads', () => {
  it('wsinv: folding, compact forms, escaped quotes, LWS everywhere', () => {
    const m = request('wsinv');
    assert.equal(m.uri, 'sip:vivekg@chair-dnrc.example.com;unknownparam');
    assert.deepEqual(sipUri(m.uri).params, [{ name: 'unknownparam', value: null }]);
    const to = getTo(m);
    assert.equal(to?.tag, '1918181833n');
    assert.equal(to && formatUri(to.uri), 'sip:vivekg@chair-dnrc.example.com');
    assert.equal(getFrom(m)?.displayName, 'J Rosenberg \\"');
    assert.equal(getFrom(m)?.tag, '98asjd8');
    assert.equal(getMaxForwards(m), 68);
    assert.deepEqual(getCSeq(m), { seq: 9, method: 'INVITE' });
    assert.equal(getCallId(m), 'wsinv.ndaksdj@192.0.2.1');
    const vias = getVias(m);
    assert.deepEqual(vias?.map((v) => [v.transport, v.host, v.branch]), [
      ['UDP', '192.0.2.2', '390skdjuw'],
      ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['UDP', '192.168.255.111', 'z9hG4bK30239'],
    ]);
    assert.equal(m.headers.get('Subject'), '');
    assert.equal(m.headers.get('NewFangledHeader'), 'newfangled value continued newfangled value');
    assert.equal(m.headers.get('UnknownHeaderWithUnusualValue'), ';;,,;;,;');
    assert.equal(getContentType(m)?.mediaType, 'application/sdp');
    assert.deepEqual(getRoutes(m)?.[0]?.uri.kind === 'sip' && getRoutes(m)?.[0]?.uri, sipUri('sip:services.example.com;lr;unknownwith=value;unknown-no-value'));
    const contact = getContacts(m)?.contacts[0];
    assert.equal(contact?.displayName, 'Quoted string ""');
    assert.deepEqual(contact?.params, [
      { name: 'newparam', value: 'newvalue' },
      { name: 'secondparam', value: null },
      { name: 'q', value: '0.33' },
    ]);
    assert.equal(m.body.byteLength, 150);
  });

  it('intmeth: the full range of token, word and quoted-pair characters', () => {
    const m = request('intmeth');
    assert.equal(m.method, "!interesting-Method0123456789_*+`.%indeed'~");
    const ruri = sipUri(m.uri);
    assert.equal(ruri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    assert.equal(ruri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    assert.equal(getTopVia(m)?.branch, "z9hG4bK-.!%66*_+`'~");
    assert.equal(getTo(m)?.displayName, 'BEL:\u0007 NUL:\u0000 DEL:\u007f');
    const from = getFrom(m);
    assert.equal(from?.displayName, "token1~` token2'+_ token3*%!.-");
    assert.deepEqual(from?.params, [
      { name: "fromParam''~+*_!.-%", value: '"работающий"' },
      { name: 'tag', value: "_token~1'+`*%!-." },
    ]);
    assert.equal(getCallId(m), 'intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
    assert.deepEqual(getCSeq(m), { seq: 139122385, method: m.method });
    assert.equal(m.headers.get("extensionHeader-!.%*+_`'~"), '\uFEFF大停電');
  });

  it('esc01: %HH escapes mean the character they encode', () => {
    const m = request('esc01');
    assert.equal(unescapeUriPart(sipUri(m.uri).user ?? ''), 'sips:user@example.com');
    const to = getTo(m)?.uri;
    assert.ok(to?.kind === 'sip');
    assert.equal(unescapeUriPart(to.user ?? ''), 'user');
    const from = getFrom(m)?.uri;
    assert.ok(from?.kind === 'sip');
    assert.equal(unescapeUriPart(from.user ?? ''), 'I have spaces');
    const contact = getContacts(m)?.contacts[0]?.uri;
    assert.ok(contact?.kind === 'sip');
    assert.equal(unescapeUriPart(contact.user ?? ''), 'caller');
    assert.deepEqual(
      contact.params.map((p) => [unescapeUriPart(p.name), p.value === null ? null : unescapeUriPart(p.value)]),
      [
        ['lr', null],
        ['name', 'value%41'],
      ],
    );
    assert.equal(uriParam(contact, 'lr'), undefined, 'parameter names are compared as written; see sipUriEquals for escapes');
  });

  it('escnull: %00 keeps the user whole, and two distinct contacts are registered', () => {
    const m = request('escnull');
    const to = getTo(m)?.uri;
    assert.ok(to?.kind === 'sip');
    assert.equal(unescapeUriPart(to.user ?? ''), 'null-\u0000-null');
    assert.deepEqual(getContacts(m)?.contacts.map((c) => (c.uri.kind === 'sip' ? unescapeUriPart(c.uri.user ?? '') : '')), ['\u0000', '\u0000\u0000']);
  });

  it('esc02: % is no escape in methods, display names, branches or header names', () => {
    const m = request('esc02');
    assert.equal(m.method, 'RE%47IST%45R');
    assert.equal(getCSeq(m)?.method, 'RE%47IST%45R');
    assert.equal(getTo(m)?.displayName, '%Z%45');
    assert.equal(getTopVia(m)?.branch, 'z9hG4bK209%fzsnel234');
    assert.equal(getContacts(m)?.contacts.length, 2);
    assert.equal(m.headers.get('C%6Fntact'), '<sip:alias2@host2.example.com>');
  });

  it('lwsdisp: a token display name directly before <', () => {
    const from = getFrom(request('lwsdisp'));
    assert.equal(from?.displayName, 'caller');
    assert.equal(from?.tag, '323');
  });

  it('longreq: many and long values', () => {
    const m = request('longreq');
    const vias = getVias(m);
    assert.equal(vias?.length, 34);
    assert.equal(vias?.[0]?.host, 'sip33.example.com');
    assert.equal(vias?.[33]?.received, '192.0.2.5');
    assert.equal(vias?.[33]?.branch, `very${'long'.repeat(50)}branchvalue`);
    assert.equal(getCallId(m), `longreq.one${'really'.repeat(20)}longcallid`);
    assert.equal(getTo(m)?.displayName, `I have a user name of ${'extreme'.repeat(10)} proportion`);
    assert.equal(getFrom(m)?.tag, `12${'982'.repeat(50)}424`);
    assert.equal(getFrom(m)?.params.length, 3);
    assert.equal(m.body.byteLength, 150);
  });

  it('dblreq: the octets after the REGISTER are ignored', () => {
    const m = request('dblreq');
    assert.equal(m.method, 'REGISTER');
    assert.equal(m.body.byteLength, 0);
    assert.equal(getCallId(m), 'dblreq.0ha0isndaksdj99sdfafnl3lk233412');
    assert.equal(m.headers.has('Content-Type'), false);
  });

  it('semiuri: the user part holds ;par=', () => {
    const m = request('semiuri');
    const ruri = sipUri(m.uri);
    assert.equal(ruri.user, 'user;par=u%40example.net');
    assert.equal(unescapeUriPart(ruri.user ?? ''), 'user;par=u@example.net');
    assert.equal(ruri.host, 'example.com');
    assert.equal(m.headers.values('Accept').length, 6);
  });

  it('transports: known and unknown Via transports', () => {
    assert.deepEqual(getVias(request('transports'))?.map((v) => v.transport), ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP']);
    assert.equal(getCallId(request('transports')), 'transports.kijh4akdnaqjkwendsasfdj');
  });

  it('mpart01: a binary multipart body framed by Content-Length', () => {
    const m = request('mpart01');
    assert.equal(m.body.byteLength, 553);
    assert.ok(Buffer.from(m.body).includes(0));
    assert.ok(Buffer.from(m.body).toString('latin1').endsWith('--7a9cbec02ceef655--\r\n'));
    assert.equal(getContentType(m)?.params[0]?.value, '7a9cbec02ceef655');
    assert.equal(getTopVia(m)?.rport, null);
  });

  it('unreason and noreason: unusual and empty reason phrases', () => {
    const a = response('unreason');
    assert.equal(a.status, 200);
    assert.equal(a.reason, '= 2**3 * 5**2 но сто девяносто девять - простое');
    const b = response('noreason');
    assert.equal(b.status, 100);
    assert.equal(b.reason, '');
  });
});

describe('RFC 4475 §3.2–3.4: what the stack needs from the codec', () => {
  it('zeromf: an endpoint accepts Max-Forwards 0, a proxy answers 483', () => {
    const m = request('zeromf');
    assert.equal(getMaxForwards(m), 0);
    const v = validateRequest(m, { role: 'proxy' });
    assert.equal(v.ok ? undefined : v.status, 483);
  });

  it('bext01: a UAS lists the Require tags in Unsupported, a proxy the Proxy-Require tags', () => {
    const m = request('bext01');
    const uas = validateRequest(m);
    assert.ok(!uas.ok);
    assert.deepEqual(uas.responseHeaders, [['Unsupported', 'nothingSupportsThis, nothingSupportsThisEither']]);
    assert.equal(rejectionResponse(m, uas)?.headers.get('Unsupported'), 'nothingSupportsThis, nothingSupportsThisEither');
    const proxy = validateRequest(m, { role: 'proxy' });
    assert.ok(!proxy.ok);
    assert.equal(proxy.check, 'proxy-require');
    assert.deepEqual(proxy.responseHeaders, [['Unsupported', 'noProxiesSupportThis, norDoAnyProxiesSupportThis']]);
    const supported = validateRequest(m, { supportedExtensions: new Set(['nothingSupportsThis', 'nothingSupportsThisEither']) });
    assert.deepEqual(supported, { ok: true });
  });

  it('intmeth / esc02 / mismatch02: 501 carries Allow', () => {
    const v = validateRequest(request('mismatch02'));
    assert.ok(!v.ok);
    assert.equal(v.responseHeaders[0]?.[0], 'Allow');
    assert.match(v.responseHeaders[0]?.[1] ?? '', /INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER/);
  });

  it('invut: 415 carries Accept', () => {
    const v = validateRequest(request('invut'));
    assert.ok(!v.ok);
    assert.equal(v.responseHeaders[0]?.[0], 'Accept');
    assert.match(v.responseHeaders[0]?.[1] ?? '', /application\/sdp/);
  });

  it('regaut01: the unknown Authorization scheme is exposed for the auth layer to challenge', () => {
    const auth = getAuthorization(request('regaut01'));
    assert.deepEqual(auth, [{ scheme: 'NoOneKnowsThisScheme', params: [{ name: 'opaque-data', value: 'here' }], token68: undefined }]);
  });

  it('unksm2 / novelsc / unkscm: other schemes parse as opaque URIs', () => {
    const m = request('unksm2');
    assert.deepEqual(getTo(m)?.uri, { kind: 'absolute', scheme: 'isbn', opaque: '2983792873' });
    assert.equal(getFrom(m)?.uri.kind, 'absolute');
    assert.equal(getFrom(m)?.tag, '3234233');
    assert.deepEqual(getContacts(m)?.contacts[0]?.uri, { kind: 'absolute', scheme: 'name', opaque: 'John_Smith' });
    assert.deepEqual(parseUri(request('novelsc').uri), { kind: 'absolute', scheme: 'soap.beep', opaque: '//192.0.2.103:3002' });
    assert.equal(parseUri(request('unkscm').uri)?.kind, 'absolute');
  });

  it('cparam01 / cparam02: contact-param versus url-parameter', () => {
    const a = getContacts(request('cparam01'))?.contacts[0];
    assert.deepEqual(a?.params, [{ name: 'unknownparam', value: null }]);
    assert.ok(a?.uri.kind === 'sip' && a.uri.params.length === 0);
    const b = getContacts(request('cparam02'))?.contacts[0];
    assert.deepEqual(b?.params, []);
    assert.ok(b?.uri.kind === 'sip' && uriParam(b.uri, 'unknownparam') === null);
  });

  it('regescrt: the escaped Route header stays in the Contact URI', () => {
    const c = getContacts(request('regescrt'))?.contacts[0]?.uri;
    assert.ok(c?.kind === 'sip');
    assert.deepEqual(c.headers, [{ name: 'Route', value: '%3Csip:sip.example.com%3E' }]);
    assert.equal(unescapeUriPart(c.headers[0]?.value ?? ''), '<sip:sip.example.com>');
    assert.equal(formatUri(c), 'sip:user@example.com?Route=%3Csip:sip.example.com%3E');
  });

  it('inv2543: RFC 2543 syntax — no branch, no tags, no Max-Forwards, body to the end of the datagram', () => {
    const m = request('inv2543');
    const via = getTopVia(m);
    assert.equal(via?.branch, undefined);
    assert.equal(via?.host, 'iftgw.example.com');
    assert.equal(getFrom(m)?.tag, undefined);
    assert.equal(getMaxForwards(m), undefined);
    assert.equal(m.headers.has('Content-Length'), false);
    assert.equal(m.body.byteLength, 105);
    assert.equal(getRecordRoutes(m)?.length, 1);
    const to = getTo(m);
    assert.deepEqual(to?.params, [{ name: 'user', value: 'phone' }], 'addr-spec: ;user=phone is a header parameter');
  });

  it('scalar02: the overlarge Max-Forwards and Expires read as absent', () => {
    const m = request('scalar02');
    assert.equal(getMaxForwards(m), undefined);
    assert.equal(getExpires(m), undefined);
    assert.equal(getCSeq(m), undefined);
  });

  it('insuf: the 400 copies what the request has', () => {
    const m = request('insuf');
    const v = validateRequest(m);
    assert.ok(!v.ok);
    const answer = rejectionResponse(m, v);
    assert.deepEqual([...(answer?.headers ?? [])].map((h) => h.name), ['Via', 'CSeq']);
  });

  it('bcast: a proxy refuses to forward towards the broadcast sent-by', () => {
    const v = validateResponse(response('bcast'), { role: 'proxy' });
    assert.deepEqual(v.ok ? undefined : v.check, 'via-broadcast');
  });

  it('badinv01: both the Via and the Contact fail their typed parse', () => {
    const m = request('badinv01');
    assert.equal(getVias(m), undefined);
    assert.equal(getContacts(m), undefined);
  });
});

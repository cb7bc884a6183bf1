import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  type SipMessage,
  type SipRequest,
  type SipResponse,
  parseMessage,
  canonicalHeaderName,
  COMPACT_HEADER_FORMS,
} from '../../../src/sip/message/index.js';

const crlf = (s: string): Buffer => Buffer.from(s.replace(/\n/g, '\r\n'), 'utf8');

function ok(buf: Uint8Array): SipMessage {
  const r = parseMessage(buf);
  if (!r.ok) assert.fail(`parse failed: ${r.error.code} ${r.error.message}`);
  return r.message;
}
function req(buf: Uint8Array): SipRequest {
  const m = ok(buf);
  assert.equal(m.kind, 'request');
  return m as SipRequest;
}
function res(buf: Uint8Array): SipResponse {
  const m = ok(buf);
  assert.equal(m.kind, 'response');
  return m as SipResponse;
}

const INVITE = `INVITE sip:bob@example.com SIP/2.0
Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds
Max-Forwards: 70
To: Bob <sip:bob@example.com>
From: Alice <sip:alice@example.com>;tag=1928301774
Call-ID: a84b4c76e66710@pc33.example.com
CSeq: 314159 INVITE
Contact: <sip:alice@pc33.example.com>
Content-Type: application/sdp
Content-Length: 4

v=0
`;

describe('parseMessage: start line', () => {
  it('parses a request line and keeps the Request-URI as written', () => {
    const m = req(crlf(INVITE));
    assert.equal(m.method, 'INVITE');
    assert.equal(m.uri, 'sip:bob@example.com');
    assert.equal(m.version, 'SIP/2.0');
    assert.equal(Buffer.from(m.body).toString(), 'v=0\r');
  });

  it('parses a status line, with and without a reason phrase', () => {
    const a = res(crlf('SIP/2.0 180 Ringing\nContent-Length: 0\n\n'));
    assert.equal(a.status, 180);
    assert.equal(a.reason, 'Ringing');
    const b = res(crlf('SIP/2.0 200\nContent-Length: 0\n\n'));
    assert.equal(b.reason, '');
    const c = res(crlf('SIP/2.0 404 Not  Found here\nContent-Length: 0\n\n'));
    assert.equal(c.reason, 'Not  Found here');
  });

  it('accepts the version in any case (ABNF strings are case-insensitive)', () => {
    assert.equal(req(crlf('OPTIONS sip:a@b sip/2.0\n\n')).version, 'sip/2.0');
  });

  for (const [line, why] of [
    ['SIP/2.0 99 Low', 'status below 100'],
    ['SIP/2.0 700 High', 'status above 699'],
    ['SIP/2.0 2000 OK', 'four-digit status'],
    ['SIP/2.0 20 OK', 'two-digit status'],
    ['SIP/2.0x200 OK', 'no space after version'],
    ['SIP/2 200 OK', 'version without minor'],
  ] as const) {
    it(`rejects a status line with ${why}, and says drop`, () => {
      const r = parseMessage(crlf(`${line}\nContent-Length: 0\n\n`));
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.error.code, 'start-line');
      assert.equal(r.error.responseStatus(), undefined);
    });
  }

  for (const [line, identified] of [
    ['INVITE  sip:a@b SIP/2.0', true],
    ['INVITE sip:a@b SIP/2.0 ', true],
    ['INVITE <sip:a@b> SIP/2.0', true],
    ['INVITE sip:a@b; lr SIP/2.0', true],
    ['INVITE sip:a@b', false],
    ['INVITE sip:a@b HTTP/1.1', false],
    ['IN VITE', false],
    ['\u0000\u0001\u0002', false],
    ['INVITE noscheme SIP/2.0', true],
  ] as const) {
    it(`rejects the request line ${JSON.stringify(line)} (${identified ? '400' : 'drop'})`, () => {
      const r = parseMessage(crlf(`${line}\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nContent-Length: 0\n\n`));
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.error.code, 'start-line');
      assert.equal(r.error.responseStatus(), identified ? 400 : undefined);
      if (identified) assert.equal(r.error.partial?.headers.get('Via'), 'SIP/2.0/UDP h;branch=z9hG4bK1');
    });
  }

  it('accepts any token as a method (methods are case-sensitive and extensible)', () => {
    assert.equal(req(crlf("!interesting-Method_*+`.%'~ sip:a@b SIP/2.0\n\n")).method, "!interesting-Method_*+`.%'~");
    assert.equal(req(crlf('invite sip:a@b SIP/2.0\n\n')).method, 'invite');
  });
});

describe('parseMessage: header section', () => {
  it('skips CRLFs before the start line (RFC 3261 §7.5)', () => {
    assert.equal(req(crlf('\n\n\nOPTIONS sip:a@b SIP/2.0\nContent-Length: 0\n\n')).method, 'OPTIONS');
  });

  it('accepts bare LF line ends', () => {
    const m = req(Buffer.from(INVITE));
    assert.equal(m.headers.get('Call-ID'), 'a84b4c76e66710@pc33.example.com');
    assert.equal(Buffer.from(m.body).toString(), 'v=0\n');
  });

  it('accepts a mix of CRLF and LF', () => {
    const m = req(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nTo: <sip:a@b>\nFrom: <sip:c@d>;tag=1\r\n\nhello'));
    assert.equal(m.headers.get('From'), '<sip:c@d>;tag=1');
    assert.equal(Buffer.from(m.body).toString(), 'hello');
  });

  it('unfolds continuation lines into one space', () => {
    const m = req(crlf('OPTIONS sip:a@b SIP/2.0\nSubject: one\n  two \n\tthree\nTo:\n <sip:a@b>\n\n'));
    assert.equal(m.headers.get('Subject'), 'one two three');
    assert.equal(m.headers.get('To'), '<sip:a@b>');
  });

  it('matches names case-insensitively and expands every compact form', () => {
    const valueOf = (full: string): string => (full === 'Content-Length' ? '0' : `value-of-${full}`);
    const lines = Object.entries(COMPACT_HEADER_FORMS).map(([c, full]) => `${c.toUpperCase()}: ${valueOf(full)}`);
    const m = req(crlf(`OPTIONS sip:a@b SIP/2.0\n${lines.join('\n')}\n\n`));
    for (const full of Object.values(COMPACT_HEADER_FORMS)) {
      assert.equal(m.headers.get(full), valueOf(full), full);
      assert.equal(m.headers.get(full.toUpperCase()), valueOf(full), full);
    }
    assert.deepEqual(
      [...m.headers].map((h) => h.name),
      Object.values(COMPACT_HEADER_FORMS),
    );
  });

  it('spells known names canonically and keeps unknown names as written', () => {
    const m = req(crlf('OPTIONS sip:a@b SIP/2.0\ncall-id: x\nCSEQ: 1 OPTIONS\nwww-authenticate: Digest realm="r", nonce="n"\nX-Custom-Thing: 1\n\n'));
    assert.deepEqual(
      [...m.headers].map((h) => h.name),
      ['Call-ID', 'CSeq', 'WWW-Authenticate', 'X-Custom-Thing'],
    );
    assert.equal(m.headers.get('x-custom-thing'), '1');
    assert.equal(canonicalHeaderName('MAX-FORWARDS'), 'Max-Forwards');
  });

  it('allows white space before the colon and trims values, but only of SP/HTAB', () => {
    const m = req(crlf('OPTIONS sip:a@b SIP/2.0\nX-A   :   spaced   \nX-B:\uFEFFbom\n\n'));
    assert.equal(m.headers.get('X-A'), 'spaced');
    assert.equal(m.headers.get('X-B'), '\uFEFFbom');
  });

  it('keeps header lines in order with their multiple values', () => {
    const m = req(
      crlf(
        'OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2\nTo: <sip:a@b>\nv: SIP/2.0/TCP c;branch=z9hG4bK3\n\n',
      ),
    );
    assert.equal(m.headers.count('Via'), 2);
    assert.deepEqual(m.headers.values('Via'), [
      'SIP/2.0/UDP a;branch=z9hG4bK1',
      'SIP/2.0/UDP b;branch=z9hG4bK2',
      'SIP/2.0/TCP c;branch=z9hG4bK3',
    ]);
    assert.deepEqual(
      [...m.headers].map((h) => h.name),
      ['Via', 'To', 'Via'],
    );
  });

  it('allows an empty header value', () => {
    assert.equal(req(crlf('OPTIONS sip:a@b SIP/2.0\nSubject:\nSupported:  \n\n')).headers.get('Supported'), '');
  });

  for (const [text, why] of [
    ['OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nFoobar roobar\n\n', 'a line without a colon'],
    ['OPTIONS sip:a@b SIP/2.0\n continued\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\n\n', 'a fold before any header'],
    ['OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nBad Name: x\n\n', 'a space in a header name'],
    ['OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\n: novalue\n\n', 'an empty header name'],
    ['OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nX-Ü: x\n\n', 'a non-ASCII header name'],
  ] as const) {
    it(`rejects ${why} with header-syntax and a 400 built from what parsed`, () => {
      const r = parseMessage(crlf(text));
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.error.code, 'header-syntax');
      assert.equal(r.error.responseStatus(), 400);
      assert.equal(r.error.partial?.method, 'OPTIONS');
      assert.equal(r.error.partial?.headers.get('Via'), 'SIP/2.0/UDP h;branch=z9hG4bK1');
    });
  }

  it('never answers a malformed ACK', () => {
    const r = parseMessage(crlf('ACK sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nbroken\n\n'));
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.responseStatus(), undefined);
  });

  it('has nothing to answer without a Via', () => {
    const r = parseMessage(crlf('OPTIONS sip:a@b SIP/2.0\nbroken\n\n'));
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.responseStatus(), undefined);
  });

  it('reports empty input and keep-alive CRLFs as empty', () => {
    for (const input of ['', '\r\n', '\r\n\r\n', '\n']) {
      const r = parseMessage(Buffer.from(input));
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.error.code, 'empty');
    }
  });

  it('accepts a datagram that ends without the empty line after its headers', () => {
    const m = req(crlf('OPTIONS sip:a@b SIP/2.0\nl: 0\n'));
    assert.equal(m.headers.get('Content-Length'), '0');
    const n = req(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x'));
    assert.equal(n.headers.get('Call-ID'), 'x');
  });

  it('decodes UTF-8 in header values and reason phrases', () => {
    const m = res(crlf('SIP/2.0 200 Très bien\nFrom: "Jürgen Müller" <sip:j@example.de>;tag=1\n\n'));
    assert.equal(m.reason, 'Très bien');
    assert.equal(m.headers.get('From'), '"Jürgen Müller" <sip:j@example.de>;tag=1');
  });

  it('accepts a plain Uint8Array as well as a Buffer', () => {
    const bytes = new Uint8Array(crlf(INVITE));
    assert.equal(req(bytes).method, 'INVITE');
  });
});

describe('parseMessage: body and Content-Length on datagrams', () => {
  const head = 'MESSAGE sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nContent-Type: text/plain\n';

  it('takes exactly Content-Length bytes and ignores the rest (RFC 3261 §18.3)', () => {
    const m = req(Buffer.concat([crlf(`${head}Content-Length: 5\n\n`), Buffer.from('helloEXTRA')]));
    assert.equal(Buffer.from(m.body).toString(), 'hello');
  });

  it('takes the rest of the datagram when there is no Content-Length', () => {
    const m = req(Buffer.concat([crlf(`${head}\n`), Buffer.from('all of\r\nit')]));
    assert.equal(Buffer.from(m.body).toString(), 'all of\r\nit');
  });

  it('gives an empty body for Content-Length 0 with leading zeros', () => {
    assert.equal(req(crlf(`${head}l: 000\n\nignored`)).body.byteLength, 0);
  });

  it('returns the body as a view of the input (no copy)', () => {
    const input = Buffer.concat([crlf(`${head}Content-Length: 2\n\n`), Buffer.from('hi')]);
    const m = req(input);
    assert.equal(m.body.buffer, input.buffer);
  });

  it('keeps NUL and other binary bytes in the body', () => {
    const body = Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a, 0x0d, 0x0a, 0]);
    const m = req(Buffer.concat([crlf(`${head}Content-Length: ${body.length}\n\n`), body]));
    assert.deepEqual(Buffer.from(m.body), body);
  });

  for (const [cl, code] of [
    ['10', 'body-truncated'],
    ['-1', 'content-length'],
    ['abc', 'content-length'],
    ['1 2', 'content-length'],
    ['', 'content-length'],
    ['99999999999999999999', 'content-length'],
  ] as const) {
    it(`rejects Content-Length ${JSON.stringify(cl)} with ${code} and a 400`, () => {
      const r = parseMessage(Buffer.concat([crlf(`${head}Content-Length: ${cl}\n\n`), Buffer.from('short')]));
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.error.code, code);
      assert.equal(r.error.responseStatus(), 400);
    });
  }

  it('rejects two Content-Length lines even when they agree', () => {
    const r = parseMessage(crlf(`${head}Content-Length: 0\nl: 0\n\n`));
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'content-length');
  });
});

describe('parseMessage: hostile input', () => {
  const cases: readonly [string, Buffer][] = [
    ['64 KiB of quotes', Buffer.from(`OPTIONS sip:a@b SIP/2.0\r\nTo: ${'"'.repeat(65000)}\r\n\r\n`)],
    ['64 KiB of semicolons', Buffer.from(`OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h${';'.repeat(65000)}\r\n\r\n`)],
    ['64 KiB of folds', Buffer.from(`OPTIONS sip:a@b SIP/2.0\r\nX: a${'\r\n b'.repeat(16000)}\r\n\r\n`)],
    ['64 KiB of LF', Buffer.alloc(65000, 0x0a)],
    ['a huge start line', Buffer.from(`INVITE sip:${'a'.repeat(65000)}@b SIP/2.0\r\n\r\n`)],
    ['many header lines', Buffer.from(`OPTIONS sip:a@b SIP/2.0\r\n${'X-A: b\r\n'.repeat(8000)}\r\n`)],
  ];
  for (const [name, input] of cases) {
    it(`returns (never throws) for ${name}`, () => {
      const r = parseMessage(input);
      assert.equal(typeof r.ok, 'boolean');
    });
  }
});

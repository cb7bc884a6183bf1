import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SdpError, parseSdp, writeSdp } from '../../../../src/sip/sdp/index.js';
import { sessionDescriptionArb } from './arbitraries.js';
import { SDP_FIXTURES, sdpText } from './fixtures.js';

const RUNS = { numRuns: 300 };

describe('SDP properties', () => {
  it('parseSdp ∘ writeSdp is the identity on descriptions', () => {
    fc.assert(
      fc.property(sessionDescriptionArb, (desc) => {
        const text = writeSdp(desc);
        const back = parseSdp(text);
        if (back instanceof SdpError) throw new Error(`${back.code}: ${back.message}\n${text}`);
        assert.deepStrictEqual(back, desc);
      }),
      RUNS,
    );
  });

  it('writeSdp writes CRLF lines, v= first and o= second', () => {
    fc.assert(
      fc.property(sessionDescriptionArb, (desc) => {
        const text = writeSdp(desc);
        assert.ok(text.endsWith('\r\n'));
        assert.ok(!/[^\r]\n/.test(text));
        const lines = text.split('\r\n');
        assert.equal(lines[0], 'v=0');
        assert.ok(lines[1]?.startsWith('o='));
      }),
      RUNS,
    );
  });

  it('parseSdp never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        const r = parseSdp(text);
        assert.ok(r instanceof SdpError || typeof r === 'object');
      }),
      RUNS,
    );
  });

  // Lines in SDP shape with hostile contents: what a fuzzer at the SIP port would send.
  const hostileLine = fc
    .tuple(
      fc.constantFrom('v', 'o', 's', 'c', 't', 'm', 'a', 'b', 'i', 'k', 'z'),
      fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.constantFrom(
          '0',
          '- 1 1 IN IP4 1.2.3.4',
          '- 99999999999999999999999 1 IN IP4 x',
          'IN IP4 0.0.0.0',
          'IN IP6 ::',
          'audio 0 RTP/AVP 0',
          'audio 65536 RTP/AVP 0',
          'audio 1 RTP/AVP 0 8 101 96 127 128',
          'audio 1/2 RTP/AVP 0',
          'video 1 RTP/AVP 96',
          'rtpmap:0 PCMU/8000',
          'rtpmap:101 telephone-event/8000/1',
          'rtpmap:96 /',
          'fmtp:101 0-16',
          'fmtp:',
          'rtcp:',
          'rtcp:1 IN IP9 x',
          'ptime:',
          'ptime:1.2.3',
          'sendonly',
          'inactive',
          'rtcp-mux',
          '__proto__',
          'constructor:1',
        ),
      ),
    )
    .map(([k, v]) => `${k}=${v}`);

  it('parseSdp never throws on SDP-shaped junk, and whatever it accepts reads back the same', () => {
    fc.assert(
      fc.property(fc.array(hostileLine, { maxLength: 25 }), fc.constantFrom('\r\n', '\n', '\r'), (lines, eol) => {
        const r = parseSdp(lines.join(eol));
        if (r instanceof SdpError) return;
        const again = parseSdp(writeSdp(r));
        assert.ok(!(again instanceof SdpError), again instanceof SdpError ? again.message : '');
        assert.deepStrictEqual(again, r);
      }),
      RUNS,
    );
  });

  it('parseSdp never throws on mutated real offers, and whatever it accepts reads back the same', () => {
    const fixture = fc.constantFrom(...SDP_FIXTURES).map(sdpText);
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('dup' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), line: hostileLine }),
      fc.record({ kind: fc.constant('char' as const), at: fc.nat(), col: fc.nat(), ch: fc.string({ minLength: 1, maxLength: 1 }) }),
    );
    fc.assert(
      fc.property(fixture, fc.array(mutation, { maxLength: 6 }), (text, mutations) => {
        const lines = text.split('\r\n');
        for (const m of mutations) {
          const i = m.at % Math.max(1, lines.length);
          if (m.kind === 'drop') lines.splice(i, 1);
          else if (m.kind === 'dup') lines.splice(i, 0, lines[i] ?? '');
          else if (m.kind === 'insert') lines.splice(i, 0, m.line);
          else {
            const l = lines[i] ?? '';
            const c = m.col % Math.max(1, l.length);
            lines[i] = l.slice(0, c) + m.ch + l.slice(c + 1);
          }
        }
        const r = parseSdp(lines.join('\r\n'));
        if (r instanceof SdpError) return;
        const again = parseSdp(writeSdp(r));
        assert.ok(!(again instanceof SdpError), again instanceof SdpError ? again.message : '');
        assert.deepStrictEqual(again, r);
      }),
      RUNS,
    );
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CodecName } from '../../../../src/media/codec/index.js';
import {
  type LocalMediaCapabilities,
  type MediaDirection,
  type RtpFormat,
  type SessionDescription,
  SdpError,
  acceptAnswer,
  answerOffer,
  parseSdp,
  writeSdp,
} from '../../../../src/sip/sdp/index.js';
import { directionArb } from './arbitraries.js';

const RUNS = { numRuns: 200 };

const sends = (d: MediaDirection): boolean => d === 'sendrecv' || d === 'sendonly';
const receives = (d: MediaDirection): boolean => d === 'sendrecv' || d === 'recvonly';

/** What an offer's format can be: static and dynamic G.711, other codecs, telephone-event at two rates. */
type FormatKind = 'PCMU' | 'PCMA' | 'PCMU-dyn' | 'PCMA-dyn' | 'G722' | 'GSM' | 'CN' | 'opus' | 'te8000' | 'te48000';
const KINDS: readonly FormatKind[] = ['PCMU', 'PCMA', 'PCMU-dyn', 'PCMA-dyn', 'G722', 'GSM', 'CN', 'opus', 'te8000', 'te48000'];

function format(kind: FormatKind, dynamicPt: number): RtpFormat {
  switch (kind) {
    case 'PCMU':
      return { payloadType: 0, encoding: 'PCMU', clockRate: 8000 };
    case 'PCMA':
      return { payloadType: 8, encoding: 'PCMA', clockRate: 8000 };
    case 'PCMU-dyn':
      return { payloadType: dynamicPt, encoding: 'PCMU', clockRate: 8000 };
    case 'PCMA-dyn':
      return { payloadType: dynamicPt, encoding: 'PCMA', clockRate: 8000 };
    case 'G722':
      return { payloadType: 9, encoding: 'G722', clockRate: 8000 };
    case 'GSM':
      return { payloadType: 3, encoding: 'GSM', clockRate: 8000 };
    case 'CN':
      return { payloadType: 13, encoding: 'CN', clockRate: 8000 };
    case 'opus':
      return { payloadType: dynamicPt, encoding: 'opus', clockRate: 48000, channels: 2 };
    case 'te8000':
      return { payloadType: dynamicPt, encoding: 'telephone-event', clockRate: 8000, fmtp: '0-16' };
    case 'te48000':
      return { payloadType: dynamicPt, encoding: 'telephone-event', clockRate: 48000 };
  }
}

const offerArb: fc.Arbitrary<SessionDescription> = fc
  .record(
    {
      kinds: fc.uniqueArray(fc.constantFrom(...KINDS), { minLength: 1, maxLength: KINDS.length }),
      dynamicPts: fc.uniqueArray(fc.integer({ min: 96, max: 127 }), { minLength: KINDS.length, maxLength: KINDS.length }),
      direction: directionArb,
      holdAddress: fc.boolean(),
      port: fc.integer({ min: 1, max: 65_535 }),
      ptime: fc.option(fc.constantFrom(10, 20, 30, 40), { nil: undefined }),
      rtcpMux: fc.boolean(),
      video: fc.boolean(),
    },
    { noNullPrototype: true },
  )
  .map((o) => {
    const lines = [
      'v=0',
      'o=- 1 1 IN IP4 192.0.2.9',
      's=-',
      `c=IN IP4 ${o.holdAddress ? '0.0.0.0' : '192.0.2.9'}`,
      't=0 0',
    ];
    if (o.video) lines.push('m=video 5000 RTP/AVP 96', 'a=rtpmap:96 VP8/90000');
    const formats = o.kinds.map((k, i) => format(k, o.dynamicPts[i] ?? 96));
    lines.push(`m=audio ${o.port} RTP/AVP ${formats.map((f) => f.payloadType).join(' ')}`);
    for (const f of formats) {
      lines.push(`a=rtpmap:${f.payloadType} ${f.encoding}/${f.clockRate}${f.channels === undefined ? '' : `/${f.channels}`}`);
      if (f.fmtp !== undefined) lines.push(`a=fmtp:${f.payloadType} ${f.fmtp}`);
    }
    lines.push(`a=${o.direction}`);
    if (o.ptime !== undefined) lines.push(`a=ptime:${o.ptime}`);
    if (o.rtcpMux) lines.push('a=rtcp-mux');
    const d = parseSdp(lines.map((l) => `${l}\r\n`).join(''));
    if (d instanceof SdpError) throw new Error(`generated offer does not parse: ${d.message}`);
    return d;
  });

const localArb: fc.Arbitrary<LocalMediaCapabilities> = fc.record(
  {
    address: fc.constantFrom('10.0.0.1', '2001:db8::1'),
    port: fc.integer({ min: 1024, max: 65_534 }),
    sessionId: fc.constantFrom('1', '42', '9999999999'),
    codecs: fc.uniqueArray(fc.constantFrom<CodecName>('PCMU', 'PCMA'), { minLength: 1, maxLength: 2 }),
    telephoneEvent: fc.constantFrom<LocalMediaCapabilities['telephoneEvent']>(undefined, false, { events: '0-15' }),
    direction: directionArb,
    rtcpMux: fc.boolean(),
    codecPreference: fc.constantFrom<'offerer' | 'local'>('offerer', 'local'),
  },
  { noNullPrototype: true },
);

const isCodec = (f: RtpFormat, codec: CodecName): boolean =>
  f.encoding?.toUpperCase() === codec && f.clockRate === 8000 && (f.channels ?? 1) === 1;

describe('offer/answer properties', () => {
  it('answers exactly when a codec matches, and the answer is well-formed', () => {
    fc.assert(
      fc.property(offerArb, localArb, (offer, local) => {
        const accepted = local.codecs ?? ['PCMU', 'PCMA'];
        const matchable = offer.audio.formats.some((f) => accepted.some((c) => isCodec(f, c)));
        const r = answerOffer(offer, local);
        assert.equal(r.ok, matchable);
        if (!r.ok) {
          assert.equal(r.reason, 'no-common-codec');
          return;
        }
        const { answer, selected } = r;
        // It survives the wire.
        assert.deepStrictEqual(parseSdp(writeSdp(answer)), answer);
        // Same m= layout as the offer.
        assert.equal(answer.otherMedia.length, offer.otherMedia.length);
        assert.equal(answer.audio.position, offer.audio.position);
        for (const s of answer.otherMedia) assert.equal(s.port, 0);
        // One accepted codec, on the offer's number for it.
        assert.ok(accepted.includes(selected.codec));
        const codecFormats = answer.audio.formats.filter((f) => f.encoding !== 'telephone-event');
        assert.equal(codecFormats.length, 1);
        assert.ok(offer.audio.formats.some((f) => f.payloadType === selected.payloadType && isCodec(f, selected.codec)));
        // The preferred one: the first match in the offerer's order, or in ours.
        const firstOffered = offer.audio.formats.find((f) => accepted.some((c) => isCodec(f, c)));
        const first =
          local.codecPreference === 'local'
            ? accepted.find((c) => offer.audio.formats.some((f) => isCodec(f, c)))
            : accepted.find((c) => firstOffered !== undefined && isCodec(firstOffered, c));
        assert.equal(selected.codec, first);
        // telephone-event exactly when both sides have it at 8 kHz, on the offer's number.
        const offeredTe = offer.audio.formats.find((f) => f.encoding === 'telephone-event' && f.clockRate === 8000);
        const expectTe = local.telephoneEvent !== false && offeredTe !== undefined;
        assert.equal(selected.telephoneEvent, expectTe ? offeredTe?.payloadType : undefined);
        assert.equal(answer.audio.telephoneEvent?.payloadType, expectTe ? offeredTe?.payloadType : undefined);
        // Never more than the offer and we allow.
        const offerDir = offer.connection?.address === '0.0.0.0' ? (sends(offer.audio.direction) ? 'sendonly' : 'inactive') : offer.audio.direction;
        const ours = local.direction ?? 'sendrecv';
        assert.equal(sends(selected.direction), receives(offerDir) && sends(ours));
        assert.equal(receives(selected.direction), sends(offerDir) && receives(ours));
        assert.equal(selected.rtcpMux, offer.audio.rtcpMux && (local.rtcpMux ?? false));
      }),
      RUNS,
    );
  });

  it('the offerer accepts every answer, and both sides agree on codec, numbers and directions', () => {
    fc.assert(
      fc.property(offerArb, localArb, (offer, local) => {
        const r = answerOffer(offer, local);
        if (!r.ok) return;
        const onWire = parseSdp(writeSdp(r.answer));
        assert.ok(!(onWire instanceof SdpError));
        const a = acceptAnswer(offer, onWire);
        assert.ok(a.ok, a.ok ? '' : a.detail);
        if (!a.ok) return;
        const offerer = a.selected;
        const answerer = r.selected;
        assert.equal(offerer.codec, answerer.codec);
        assert.equal(offerer.payloadType, answerer.receivePayloadType);
        assert.equal(offerer.receivePayloadType, answerer.payloadType);
        assert.equal(offerer.telephoneEvent, answerer.receiveTelephoneEvent);
        assert.equal(offerer.receiveTelephoneEvent === undefined || offerer.telephoneEvent !== undefined, true);
        assert.equal(sends(offerer.direction), receives(answerer.direction));
        assert.equal(receives(offerer.direction), sends(answerer.direction));
        assert.equal(offerer.rtcpMux, answerer.rtcpMux);
        assert.deepEqual(offerer.remote, { address: local.address, port: local.port });
      }),
      RUNS,
    );
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  type AnswerResult,
  type LocalMediaCapabilities,
  type MediaDirection,
  type NegotiatedAudio,
  type SessionDescription,
  SdpError,
  acceptAnswer,
  answerOffer,
  audioSection,
  createOffer,
  directionForHold,
  directionForResume,
  holdState,
  nextVersion,
  parseSdp,
  writeSdp,
} from '../../../../src/sip/sdp/index.js';
import { sdp } from './fixtures.js';

const LOCAL: LocalMediaCapabilities = Object.freeze({ address: '10.0.0.1', port: 20000, sessionId: '42' });

const crlf = (lines: readonly string[]): string => lines.map((l) => `${l}\r\n`).join('');

function parsed(text: string): SessionDescription {
  const d = parseSdp(text);
  if (d instanceof SdpError) assert.fail(`${d.code}: ${d.message}`);
  return d;
}

function answered(offer: SessionDescription, local: LocalMediaCapabilities = LOCAL, previous?: SessionDescription) {
  const r = answerOffer(offer, local, previous);
  if (!r.ok) assert.fail(`expected an answer, got 488 ${r.reason}: ${r.detail}`);
  return r;
}

function refusedWith(r: AnswerResult, reason: string, warning: number): void {
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.status, 488);
  assert.equal(r.reason, reason);
  assert.equal(r.warning.code, warning);
}

/** An offer with one audio section made of these lines (after the m= line). */
function offerWith(mLine: string, attrs: readonly string[] = [], connection = '192.0.2.9'): SessionDescription {
  return parsed(crlf(['v=0', 'o=- 5 5 IN IP4 192.0.2.9', 's=-', `c=IN IP4 ${connection}`, 't=0 0', mLine, ...attrs]));
}

describe('answerOffer: real-world offers', () => {
  it('answers the sipp offer with PCMU and no telephone-event', () => {
    const { answer, selected } = answered(sdp('sipp-uac'));
    assert.equal(
      writeSdp(answer),
      crlf([
        'v=0',
        'o=- 42 1 IN IP4 10.0.0.1',
        's=-',
        'c=IN IP4 10.0.0.1',
        't=0 0',
        'm=audio 20000 RTP/AVP 0',
        'a=rtpmap:0 PCMU/8000',
        'a=ptime:20',
        'a=sendrecv',
      ]),
    );
    assert.deepEqual(selected, {
      codec: 'PCMU',
      clockRate: 8000,
      payloadType: 0,
      receivePayloadType: 0,
      direction: 'sendrecv',
      remote: { address: '127.0.0.1', port: 6000 },
      remoteRtcp: { address: '127.0.0.1', port: 6001 },
      rtcpMux: false,
      ptime: 20,
    } satisfies NegotiatedAudio);
  });

  it('answers the baresip offer: skips opus, G722 and L16, keeps its PCMU-before-PCMA order', () => {
    const { answer, selected } = answered(sdp('baresip-offer'));
    assert.equal(selected.codec, 'PCMU');
    assert.equal(selected.payloadType, 0);
    assert.equal(selected.telephoneEvent, 101);
    assert.deepEqual(
      answer.audio.formats.map((f) => f.payloadType),
      [0, 101],
    );
    // The offer asks for rtcp-mux; we did not enable it, so RTCP goes to port + 1.
    assert.equal(selected.rtcpMux, false);
    assert.equal(answer.audio.rtcpMux, false);
    assert.deepEqual(selected.remoteRtcp, { address: '192.168.1.50', port: 11215 });
  });

  it('agrees rtcp-mux with baresip when we support it', () => {
    const { answer, selected } = answered(sdp('baresip-offer'), { ...LOCAL, rtcpMux: true });
    assert.equal(selected.rtcpMux, true);
    assert.equal(selected.remoteRtcp, undefined);
    assert.match(writeSdp(answer), /\r\na=rtcp-mux\r\n/);
  });

  it('answers the Twilio offer with PCMU and telephone-event 101', () => {
    const { answer, selected } = answered(sdp('twilio-offer'));
    assert.equal(selected.codec, 'PCMU');
    assert.equal(selected.telephoneEvent, 101);
    assert.equal(selected.ptime, 20);
    assert.match(writeSdp(answer), /m=audio 20000 RTP\/AVP 0 101\r\na=rtpmap:0 PCMU\/8000\r\na=rtpmap:101 telephone-event\/8000\r\na=fmtp:101 0-16\r\n/);
  });

  it('answers FreeSWITCH with PCMA (its first choice) and telephone-event on its number 96', () => {
    const { answer, selected } = answered(sdp('freeswitch-offer'));
    assert.equal(selected.codec, 'PCMA');
    assert.equal(selected.payloadType, 8);
    assert.equal(selected.telephoneEvent, 96);
    assert.equal(selected.receiveTelephoneEvent, 96);
    assert.deepEqual(selected.remoteRtcp, { address: '203.0.113.10', port: 24561 });
    assert.match(writeSdp(answer), /m=audio 20000 RTP\/AVP 8 96\r\na=rtpmap:8 PCMA\/8000\r\na=rtpmap:96 telephone-event\/8000\r\na=fmtp:96 0-16\r\n/);
  });

  it('picks by our order with codecPreference "local"', () => {
    const { selected } = answered(sdp('freeswitch-offer'), { ...LOCAL, codecPreference: 'local' });
    assert.equal(selected.codec, 'PCMU');
    const pcmaFirst = answered(sdp('twilio-offer'), { ...LOCAL, codecs: ['PCMA', 'PCMU'], codecPreference: 'local' });
    assert.equal(pcmaFirst.selected.codec, 'PCMA');
  });

  it('refuses the WebRTC offer with 488: its transport first, and its codecs when the transport is allowed', () => {
    refusedWith(answerOffer(sdp('webrtc-opus-only'), LOCAL), 'unsupported-transport', 302);
    refusedWith(
      answerOffer(sdp('webrtc-opus-only'), { ...LOCAL, transports: ['UDP/TLS/RTP/SAVPF'] }),
      'no-common-codec',
      305,
    );
  });

  it('refuses a plain-RTP wideband-only offer with 488 no-common-codec', () => {
    const r = answerOffer(offerWith('m=audio 4000 RTP/AVP 96 9', ['a=rtpmap:96 opus/48000/2']), LOCAL);
    refusedWith(r, 'no-common-codec', 305);
    if (!r.ok) assert.match(r.detail, /opus, G722/);
  });

  it('refuses PCMU when we only take PCMA', () => {
    refusedWith(answerOffer(sdp('sipp-uac'), { ...LOCAL, codecs: ['PCMA'] }), 'no-common-codec', 305);
  });

  it('answers Linphone: PCMU after opus/speex, telephone-event/8000 on 100, video refused with port 0', () => {
    const { answer, selected } = answered(sdp('linphone-audio-video'));
    assert.equal(selected.codec, 'PCMU');
    assert.equal(selected.telephoneEvent, 100);
    assert.deepEqual(answer.otherMedia, [{ position: 1, type: 'video', port: 0, protocol: 'RTP/AVP', formats: ['96', '97'] }]);
    const text = writeSdp(answer);
    assert.ok(text.indexOf('m=audio 20000') < text.indexOf('m=video 0 RTP/AVP 96 97'));
  });
});

describe('answerOffer: payload types and streams', () => {
  it('uses the offer numbers, even a dynamic number for PCMU', () => {
    const { answer, selected } = answered(
      offerWith('m=audio 4000 RTP/AVP 98 97', ['a=rtpmap:98 pcmu/8000', 'a=rtpmap:97 telephone-event/8000']),
    );
    assert.equal(selected.payloadType, 98);
    assert.equal(selected.telephoneEvent, 97);
    assert.deepEqual(answer.audio.formats, [
      { payloadType: 98, encoding: 'PCMU', clockRate: 8000 },
      { payloadType: 97, encoding: 'telephone-event', clockRate: 8000, fmtp: '0-16' },
    ]);
  });

  it('ignores G.711 at another rate or in stereo', () => {
    refusedWith(
      answerOffer(offerWith('m=audio 4000 RTP/AVP 96 97', ['a=rtpmap:96 PCMU/16000', 'a=rtpmap:97 PCMA/8000/2']), LOCAL),
      'no-common-codec',
      305,
    );
  });

  it('leaves telephone-event out when the offer has none at 8000, or when we disable it', () => {
    const at48k = answered(offerWith('m=audio 4000 RTP/AVP 0 110', ['a=rtpmap:110 telephone-event/48000']));
    assert.equal(at48k.selected.telephoneEvent, undefined);
    assert.deepEqual(
      at48k.answer.audio.formats.map((f) => f.payloadType),
      [0],
    );
    const disabled = answered(sdp('twilio-offer'), { ...LOCAL, telephoneEvent: false });
    assert.equal(disabled.selected.telephoneEvent, undefined);
    assert.equal(disabled.answer.audio.telephoneEvent, undefined);
  });

  it('answers with the events we configure', () => {
    const { answer } = answered(sdp('twilio-offer'), { ...LOCAL, telephoneEvent: { events: '0-15' } });
    assert.equal(answer.audio.telephoneEvent?.events, '0-15');
  });

  it('keeps the offer protocol (RTP/AVPF) and puts audio where the offer had it', () => {
    const offer = parsed(
      crlf([
        'v=0',
        'o=- 5 5 IN IP4 192.0.2.9',
        's=-',
        'c=IN IP4 192.0.2.9',
        't=0 0',
        'm=video 5000 RTP/AVP 96',
        'm=image 5002 udptl t38',
        'm=audio 4000 RTP/AVPF 0',
      ]),
    );
    const { answer } = answered(offer);
    assert.equal(answer.audio.position, 2);
    assert.equal(answer.audio.protocol, 'RTP/AVPF');
    const lines = writeSdp(answer).split('\r\n').filter((l) => l.startsWith('m='));
    assert.deepEqual(lines, ['m=video 0 RTP/AVP 96', 'm=image 0 udptl t38', 'm=audio 20000 RTP/AVPF 0']);
  });

  it('refuses an offer whose audio port is 0 with 488 no-audio', () => {
    refusedWith(answerOffer(offerWith('m=audio 0 RTP/AVP 0'), LOCAL), 'no-audio', 304);
  });

  it('sends to the media-level address and the a=rtcp port', () => {
    const { selected } = answered(
      offerWith('m=audio 4000 RTP/AVP 0', ['c=IN IP4 198.51.100.20', 'a=rtcp:4100', 'a=ptime:30']),
    );
    assert.deepEqual(selected.remote, { address: '198.51.100.20', port: 4000 });
    assert.deepEqual(selected.remoteRtcp, { address: '198.51.100.20', port: 4100 });
    assert.equal(selected.ptime, 30);
  });

  it('answers with our ptime and address, IPv6 included', () => {
    const { answer } = answered(sdp('sipp-uac'), { ...LOCAL, address: '2001:db8::5', ptime: 30 });
    assert.equal(answer.audio.ptime, 30);
    assert.deepEqual(answer.connection, { addressType: 'IP6', address: '2001:db8::5' });
    assert.match(writeSdp(answer), /\r\nc=IN IP6 2001:db8::5\r\n/);
  });
});

describe('hold and resume', () => {
  const cases: readonly [string, MediaDirection, MediaDirection][] = [
    // offer direction, our direction, expected answer direction
    ['sendrecv', 'sendrecv', 'sendrecv'],
    ['sendonly', 'sendrecv', 'recvonly'],
    ['recvonly', 'sendrecv', 'sendonly'],
    ['inactive', 'sendrecv', 'inactive'],
    ['sendrecv', 'sendonly', 'sendonly'],
    ['sendonly', 'sendonly', 'inactive'],
    ['sendrecv', 'inactive', 'inactive'],
    ['recvonly', 'recvonly', 'inactive'],
  ] as [string, MediaDirection, MediaDirection][];
  for (const [offered, ours, expected] of cases) {
    it(`answers a ${offered} offer as ${expected} when we are ${ours}`, () => {
      const { answer, selected } = answered(offerWith('m=audio 4000 RTP/AVP 0', [`a=${offered}`]), {
        ...LOCAL,
        direction: ours,
      });
      assert.equal(answer.audio.direction, expected);
      assert.equal(selected.direction, expected);
    });
  }

  it('answers the sendonly hold re-INVITE with recvonly', () => {
    const offer = sdp('hold-sendonly');
    assert.deepEqual(holdState(offer), { held: true, how: 'sendonly' });
    const { answer, selected } = answered(offer);
    assert.equal(answer.audio.direction, 'recvonly');
    assert.equal(selected.direction, 'recvonly');
    assert.deepEqual(holdState(answer), { held: false });
  });

  it('answers the RFC 2543 hold (c=0.0.0.0) with recvonly: nothing can be sent to 0.0.0.0', () => {
    const offer = sdp('hold-rfc2543');
    assert.deepEqual(holdState(offer), { held: true, how: 'zero-address' });
    const { answer, selected } = answered(offer);
    assert.equal(answer.audio.direction, 'recvonly');
    assert.equal(selected.direction, 'recvonly');
    assert.equal(selected.remote.address, '0.0.0.0');
  });

  it('reads inactive as held and sendrecv/recvonly as not', () => {
    assert.deepEqual(holdState(offerWith('m=audio 4000 RTP/AVP 0', ['a=inactive'])), { held: true, how: 'inactive' });
    assert.deepEqual(holdState(offerWith('m=audio 4000 RTP/AVP 0', ['a=recvonly'])), { held: false });
    assert.deepEqual(holdState(sdp('sipp-uac')), { held: false });
  });

  it('resumes: a sendrecv re-offer after hold is answered sendrecv', () => {
    const first = answered(sdp('sipp-uac'));
    const held = answered(sdp('hold-sendonly'), LOCAL, first.answer);
    const resumed = answered({ ...sdp('sipp-uac'), origin: { ...sdp('sipp-uac').origin, sessionVersion: 2353687640n } }, LOCAL, held.answer);
    assert.equal(resumed.answer.audio.direction, 'sendrecv');
    assert.equal(resumed.answer.origin.sessionVersion, held.answer.origin.sessionVersion + 1n);
  });

  it('directionForHold and directionForResume follow RFC 3264 §8.4', () => {
    assert.equal(directionForHold('sendrecv'), 'sendonly');
    assert.equal(directionForHold('recvonly'), 'inactive');
    assert.equal(directionForHold('sendonly'), 'sendonly');
    assert.equal(directionForHold('inactive'), 'inactive');
    assert.equal(directionForResume('sendonly'), 'sendrecv');
    assert.equal(directionForResume('inactive'), 'recvonly');
    assert.equal(directionForResume('sendrecv'), 'sendrecv');
    assert.equal(directionForResume('recvonly'), 'recvonly');
  });
});

describe('createOffer', () => {
  it('writes exactly this by default', () => {
    assert.equal(
      writeSdp(createOffer(LOCAL)),
      crlf([
        'v=0',
        'o=- 42 1 IN IP4 10.0.0.1',
        's=-',
        'c=IN IP4 10.0.0.1',
        't=0 0',
        'm=audio 20000 RTP/AVP 0 8 101',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:8 PCMA/8000',
        'a=rtpmap:101 telephone-event/8000',
        'a=fmtp:101 0-16',
        'a=ptime:20',
        'a=sendrecv',
      ]),
    );
  });

  it('follows the local options: codec order, telephone-event number and events, rtcp-mux, names', () => {
    const offer = createOffer({
      ...LOCAL,
      codecs: ['PCMA'],
      telephoneEvent: { payloadType: 96, events: '0-15' },
      rtcpMux: true,
      username: 'dialtone',
      sessionName: 'Dialtone',
    });
    const text = writeSdp(offer);
    assert.match(text, /^o=dialtone 42 1 IN IP4 10\.0\.0\.1\r$/m);
    assert.match(text, /^s=Dialtone\r$/m);
    assert.match(text, /^m=audio 20000 RTP\/AVP 8 96\r$/m);
    assert.match(text, /^a=fmtp:96 0-15\r$/m);
    assert.match(text, /^a=rtcp-mux\r$/m);
    assert.equal(createOffer({ ...LOCAL, telephoneEvent: false }).audio.telephoneEvent, undefined);
  });

  it('re-offers for hold with the same id, the next version and the same m= layout', () => {
    const first = answered(sdp('linphone-audio-video')).answer;
    const hold = createOffer({ ...LOCAL, direction: directionForHold(first.audio.direction) }, first);
    assert.equal(hold.origin.sessionId, first.origin.sessionId);
    assert.equal(hold.origin.sessionVersion, first.origin.sessionVersion + 1n);
    assert.equal(hold.audio.direction, 'sendonly');
    assert.equal(hold.audio.position, 0);
    assert.deepEqual(hold.otherMedia, first.otherMedia);
    // The telephone-event number agreed before (Linphone's 100) stays.
    assert.equal(hold.audio.telephoneEvent?.payloadType, 100);
    assert.deepEqual(holdState(hold), { held: true, how: 'sendonly' });
    const resume = createOffer({ ...LOCAL, direction: directionForResume(hold.audio.direction) }, hold);
    assert.equal(resume.audio.direction, 'sendrecv');
    assert.equal(resume.origin.sessionVersion, hold.origin.sessionVersion + 1n);
  });

  it('keeps the version when nothing changed (a session refresh)', () => {
    const first = createOffer(LOCAL);
    const again = createOffer(LOCAL, first);
    assert.deepEqual(again, first);
    const moved = createOffer({ ...LOCAL, port: 20002 }, first);
    assert.equal(moved.origin.sessionVersion, 2n);
  });

  it('keeps the version of an unchanged answer to a repeated offer', () => {
    const first = answered(sdp('twilio-offer')).answer;
    const second = answered(sdp('twilio-offer'), LOCAL, first).answer;
    assert.equal(second.origin.sessionVersion, first.origin.sessionVersion);
    const third = answered(sdp('hold-sendonly'), LOCAL, second).answer;
    assert.equal(third.origin.sessionVersion, second.origin.sessionVersion + 1n);
  });
});

describe('acceptAnswer', () => {
  const offer = createOffer(LOCAL);

  it('takes an answer made by answerOffer: the sides agree on codec, numbers, addresses', () => {
    const theirs: LocalMediaCapabilities = { address: '192.0.2.50', port: 30000, sessionId: '7' };
    const offerOnWire = parsed(writeSdp(offer));
    const { answer, selected: theirSelection } = answered(offerOnWire, theirs);
    const r = acceptAnswer(offer, parsed(writeSdp(answer)));
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.equal(r.selected.codec, theirSelection.codec);
    assert.equal(r.selected.payloadType, theirSelection.receivePayloadType);
    assert.equal(r.selected.telephoneEvent, theirSelection.receiveTelephoneEvent);
    assert.deepEqual(r.selected.remote, { address: '192.0.2.50', port: 30000 });
    assert.deepEqual(theirSelection.remote, { address: '10.0.0.1', port: 20000 });
  });

  it('sends with the answer numbers and receives with ours when they differ', () => {
    const answer = offerWith('m=audio 30000 RTP/AVP 0 96', ['a=rtpmap:96 telephone-event/8000', 'a=fmtp:96 0-15']);
    const r = acceptAnswer(offer, answer);
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.equal(r.selected.telephoneEvent, 96);
    assert.equal(r.selected.receiveTelephoneEvent, 101);
    assert.equal(r.selected.payloadType, 0);
    assert.equal(r.selected.receivePayloadType, 0);
  });

  it('uses the first codec of the answer that we offered', () => {
    const answer = offerWith('m=audio 30000 RTP/AVP 9 8 0', ['a=rtpmap:9 G722/8000']);
    const r = acceptAnswer(offer, answer);
    assert.ok(r.ok && r.selected.codec === 'PCMA');
  });

  it('mirrors directions: an answer recvonly to our hold, sendonly when they hold', () => {
    const hold = createOffer({ ...LOCAL, direction: 'sendonly' });
    const r1 = acceptAnswer(hold, offerWith('m=audio 30000 RTP/AVP 0', ['a=recvonly']));
    assert.ok(r1.ok && r1.selected.direction === 'sendonly');
    const r2 = acceptAnswer(offer, offerWith('m=audio 30000 RTP/AVP 0', ['a=sendonly']));
    assert.ok(r2.ok && r2.selected.direction === 'recvonly');
    const r3 = acceptAnswer(offer, offerWith('m=audio 30000 RTP/AVP 0', [], '0.0.0.0'));
    assert.ok(r3.ok && r3.selected.direction === 'recvonly');
  });

  it('refuses an answer that refused our audio (port 0)', () => {
    const r = acceptAnswer(offer, offerWith('m=audio 0 RTP/AVP 0'));
    assert.deepEqual(r.ok ? undefined : r.reason, 'audio-rejected');
  });

  it('refuses an answer with another m= line layout', () => {
    const extra = parsed(crlf(['v=0', 'o=- 5 5 IN IP4 192.0.2.9', 's=-', 'c=IN IP4 192.0.2.9', 't=0 0', 'm=audio 30000 RTP/AVP 0', 'm=video 0 RTP/AVP 96']));
    const r = acceptAnswer(offer, extra);
    assert.deepEqual(r.ok ? undefined : r.reason, 'answer-mismatch');
  });

  it('refuses an answer with no codec of the offer', () => {
    const r = acceptAnswer(offer, offerWith('m=audio 30000 RTP/AVP 9', ['a=rtpmap:9 G722/8000']));
    assert.deepEqual(r.ok ? undefined : r.reason, 'no-common-codec');
  });

  it('agrees rtcp-mux only when both sides have it', () => {
    const muxOffer = createOffer({ ...LOCAL, rtcpMux: true });
    const withMux = acceptAnswer(muxOffer, offerWith('m=audio 30000 RTP/AVP 0', ['a=rtcp-mux']));
    assert.ok(withMux.ok && withMux.selected.rtcpMux && withMux.selected.remoteRtcp === undefined);
    const without = acceptAnswer(muxOffer, offerWith('m=audio 30000 RTP/AVP 0'));
    assert.ok(without.ok && !without.selected.rtcpMux);
    assert.deepEqual(without.ok ? without.selected.remoteRtcp : undefined, { address: '192.0.2.9', port: 30001 });
  });
});

describe('nextVersion', () => {
  it('increments sess-version and nothing else', () => {
    const d = sdp('sipp-uac');
    const n = nextVersion(d);
    assert.equal(n.origin.sessionVersion, 2353687638n);
    assert.deepEqual({ ...n, origin: { ...n.origin, sessionVersion: d.origin.sessionVersion } }, d);
  });

  it('goes past 2^64 - 1 without rounding', () => {
    const d = sdp('sipp-uac');
    const big = { ...d, origin: { ...d.origin, sessionVersion: 2n ** 64n - 1n } };
    assert.equal(nextVersion(big).origin.sessionVersion, 2n ** 64n);
  });
});

describe('audioSection', () => {
  it('derives telephoneEvent from the formats and drops a stale one', () => {
    const a = audioSection({
      position: 0,
      port: 1,
      protocol: 'RTP/AVP',
      formats: [{ payloadType: 0, encoding: 'PCMU', clockRate: 8000 }],
      direction: 'sendrecv',
      rtcpMux: false,
      telephoneEvent: { payloadType: 101, clockRate: 8000, events: '0-16' },
    } as Parameters<typeof audioSection>[0]);
    assert.equal(a.telephoneEvent, undefined);
    assert.equal('telephoneEvent' in a, false);
  });
});

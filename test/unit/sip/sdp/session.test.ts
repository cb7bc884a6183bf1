import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_SDP_LENGTH,
  SdpError,
  type SdpErrorCode,
  type SessionDescription,
  audioSection,
  connectionOf,
  findTelephoneEvent,
  parseSdp,
  writeSdp,
} from '../../../../src/sip/sdp/index.js';
import { SDP_FIXTURES, sdp, sdpText } from './fixtures.js';

const crlf = (lines: readonly string[]): string => lines.map((l) => `${l}\r\n`).join('');

const MINIMAL = [
  'v=0',
  'o=- 1 1 IN IP4 192.0.2.1',
  's=-',
  'c=IN IP4 192.0.2.1',
  't=0 0',
  'm=audio 4000 RTP/AVP 0',
];

function parseOk(text: string): SessionDescription {
  const d = parseSdp(text);
  if (d instanceof SdpError) assert.fail(`expected a description, got ${d.code}: ${d.message}`);
  return d;
}

function parseErr(text: string, code: SdpErrorCode): SdpError {
  const d = parseSdp(text);
  assert.ok(d instanceof SdpError, `expected ${code}, got a description`);
  assert.equal(d.code, code, d.message);
  return d;
}

describe('parseSdp: real-world offers', () => {
  it('reads the sipp uac offer', () => {
    const d = sdp('sipp-uac');
    assert.deepEqual(d.origin, {
      username: 'user1',
      sessionId: '53655765',
      sessionVersion: 2353687637n,
      addressType: 'IP4',
      address: '127.0.0.1',
    });
    assert.equal(d.sessionName, '-');
    assert.deepEqual(d.connection, { addressType: 'IP4', address: '127.0.0.1' });
    assert.equal(d.audio.position, 0);
    assert.equal(d.audio.port, 6000);
    assert.equal(d.audio.protocol, 'RTP/AVP');
    assert.deepEqual(d.audio.formats, [{ payloadType: 0, encoding: 'PCMU', clockRate: 8000 }]);
    assert.equal(d.audio.direction, 'sendrecv');
    assert.equal(d.audio.rtcpMux, false);
    assert.equal(d.audio.telephoneEvent, undefined);
    assert.equal(d.audio.ptime, undefined);
    assert.deepEqual(d.otherMedia, []);
  });

  it('reads the baresip offer: many codecs, fmtp, rtcp-mux, ptime; ignores b=, extmap, ssrc', () => {
    const d = sdp('baresip-offer');
    assert.deepEqual(
      d.audio.formats.map((f) => [f.payloadType, f.encoding, f.clockRate, f.channels]),
      [
        [96, 'opus', 48000, 2],
        [9, 'G722', 8000, undefined],
        [0, 'PCMU', 8000, undefined],
        [8, 'PCMA', 8000, undefined],
        [97, 'L16', 48000, 2],
        [101, 'telephone-event', 8000, undefined],
      ],
    );
    assert.equal(d.audio.formats[0]?.fmtp, 'stereo=1;sprop-stereo=1');
    assert.equal(d.audio.rtcpMux, true);
    assert.equal(d.audio.ptime, 20);
    assert.deepEqual(d.audio.telephoneEvent, { payloadType: 101, clockRate: 8000, events: '0-15' });
    assert.equal(d.origin.sessionVersion, 3893512264n);
  });

  it('reads the Twilio offer: session name, telephone-event 0-16, maxptime', () => {
    const d = sdp('twilio-offer');
    assert.equal(d.sessionName, 'Twilio Media Gateway');
    assert.deepEqual(
      d.audio.formats.map((f) => f.payloadType),
      [0, 8, 101],
    );
    assert.deepEqual(d.audio.telephoneEvent, { payloadType: 101, clockRate: 8000, events: '0-16' });
    assert.equal(d.audio.ptime, 20);
    assert.equal(d.audio.maxptime, 150);
  });

  it('reads the FreeSWITCH offer: PCMA first, telephone-event on 96, a=rtcp with address', () => {
    const d = sdp('freeswitch-offer');
    assert.equal(d.audio.formats[0]?.encoding, 'PCMA');
    assert.deepEqual(d.audio.telephoneEvent, { payloadType: 96, clockRate: 8000, events: '0-16' });
    assert.deepEqual(d.audio.rtcp, { port: 24561, connection: { addressType: 'IP4', address: '203.0.113.10' } });
    assert.equal(d.audio.formats.at(-1)?.encoding, 'CN');
  });

  it('reads the WebRTC offer: protocol as written, media-level c=, the 8 kHz telephone-event', () => {
    const d = sdp('webrtc-opus-only');
    assert.equal(d.audio.protocol, 'UDP/TLS/RTP/SAVPF');
    assert.equal(d.connection, undefined);
    assert.deepEqual(d.audio.connection, { addressType: 'IP4', address: '0.0.0.0' });
    assert.deepEqual(connectionOf(d), { addressType: 'IP4', address: '0.0.0.0' });
    assert.deepEqual(d.audio.telephoneEvent, { payloadType: 126, clockRate: 8000, events: '0-15' });
    assert.equal(d.audio.rtcpMux, true);
    // A 19-digit session id is kept as written.
    assert.equal(d.origin.sessionId, '4611731400430051336');
  });

  it('reads the Linphone offer: audio and video sections in order', () => {
    const d = sdp('linphone-audio-video');
    assert.equal(d.audio.position, 0);
    assert.equal(d.audio.telephoneEvent?.payloadType, 100);
    assert.deepEqual(d.otherMedia, [{ position: 1, type: 'video', port: 9078, protocol: 'RTP/AVP', formats: ['96', '97'] }]);
  });

  it('reads hold offers', () => {
    assert.equal(sdp('hold-sendonly').audio.direction, 'sendonly');
    const old = sdp('hold-rfc2543');
    assert.equal(old.audio.direction, 'sendrecv');
    assert.equal(connectionOf(old)?.address, '0.0.0.0');
  });

  it('reads every fixture with LF line ends as well as CRLF', () => {
    for (const name of SDP_FIXTURES) {
      assert.deepEqual(parseOk(sdpText(name).replace(/\r\n/g, '\n')), sdp(name), name);
    }
  });

  it('reads back what it writes, for every fixture', () => {
    for (const name of SDP_FIXTURES) {
      const d = sdp(name);
      assert.deepEqual(parseOk(writeSdp(d)), d, name);
    }
  });
});

describe('parseSdp: details', () => {
  it('names static payload types that come without rtpmap', () => {
    const d = parseOk(crlf([...MINIMAL.slice(0, -1), 'm=audio 4000 RTP/AVP 0 8 18 13']));
    assert.deepEqual(
      d.audio.formats.map((f) => [f.payloadType, f.encoding, f.clockRate]),
      [
        [0, 'PCMU', 8000],
        [8, 'PCMA', 8000],
        [18, 'G729', 8000],
        [13, 'CN', 8000],
      ],
    );
  });

  it('leaves a dynamic payload type without rtpmap unnamed', () => {
    const d = parseOk(crlf([...MINIMAL.slice(0, -1), 'm=audio 4000 RTP/AVP 0 96']));
    assert.deepEqual(d.audio.formats[1], { payloadType: 96 });
  });

  it('ignores rtpmap and fmtp lines for payload types not in the m= line, and duplicates', () => {
    const d = parseOk(
      crlf([...MINIMAL.slice(0, -1), 'm=audio 4000 RTP/AVP 0 0', 'a=rtpmap:8 PCMA/8000', 'a=fmtp:8 x=1']),
    );
    assert.deepEqual(d.audio.formats, [{ payloadType: 0, encoding: 'PCMU', clockRate: 8000 }]);
  });

  it('applies session-level direction and ptime to the audio section; the section overrides', () => {
    const base = ['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'a=sendonly', 'a=ptime:30'];
    const inherits = parseOk(crlf([...base, 'm=audio 4000 RTP/AVP 0']));
    assert.equal(inherits.audio.direction, 'sendonly');
    assert.equal(inherits.audio.ptime, 30);
    const overrides = parseOk(crlf([...base, 'm=audio 4000 RTP/AVP 0', 'a=inactive', 'a=ptime:20']));
    assert.equal(overrides.audio.direction, 'inactive');
    assert.equal(overrides.audio.ptime, 20);
  });

  it('reads a=rtcp without an address, and IPv6 connections', () => {
    const d = parseOk(
      crlf(['v=0', 'o=- 1 1 IN IP6 2001:db8::1', 's=-', 'c=IN IP6 2001:db8::1', 't=0 0', 'm=audio 4000 RTP/AVP 0', 'a=rtcp:4005']),
    );
    assert.deepEqual(d.audio.rtcp, { port: 4005 });
    assert.deepEqual(d.connection, { addressType: 'IP6', address: '2001:db8::1' });
    assert.equal(d.origin.addressType, 'IP6');
  });

  it('takes the first active audio line; a refused one before it stays an other section', () => {
    const d = parseOk(
      crlf([...MINIMAL.slice(0, -1), 'm=audio 0 RTP/AVP 0', 'm=video 0 RTP/AVP 96', 'm=audio 5000 RTP/AVP 8']),
    );
    assert.equal(d.audio.position, 2);
    assert.equal(d.audio.port, 5000);
    assert.deepEqual(
      d.otherMedia.map((s) => [s.position, s.type, s.port, s.formats]),
      [
        [0, 'audio', 0, ['0']],
        [1, 'video', 0, ['96']],
      ],
    );
  });

  it('takes a refused audio line when it is the only one (port 0 is valid)', () => {
    const d = parseOk(crlf([...MINIMAL.slice(0, -1), 'm=audio 0 RTP/AVP 0']));
    assert.equal(d.audio.port, 0);
  });

  it('keeps a second active audio line as an other section', () => {
    const d = parseOk(crlf([...MINIMAL, 'm=audio 5000 RTP/AVP 8']));
    assert.equal(d.audio.position, 0);
    assert.deepEqual(d.otherMedia, [{ position: 1, type: 'audio', port: 5000, protocol: 'RTP/AVP', formats: ['8'] }]);
  });

  it('keeps a 20-digit session version exactly and writes it back', () => {
    const d = parseOk(crlf(['v=0', 'o=- 1 18446744073709551615 IN IP4 192.0.2.1', ...MINIMAL.slice(2)]));
    assert.equal(d.origin.sessionVersion, 18446744073709551615n);
    assert.match(writeSdp(d), /^o=- 1 18446744073709551615 IN IP4 192\.0\.2\.1\r$/m);
  });

  it('reads an empty s= as "-"', () => {
    const d = parseOk(crlf(['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=', ...MINIMAL.slice(3)]));
    assert.equal(d.sessionName, '-');
  });
});

describe('parseSdp: refusals', () => {
  it('refuses a description without c= for the audio section', () => {
    const e = parseErr(crlf(MINIMAL.filter((l) => !l.startsWith('c='))), 'connection');
    assert.equal(e.responseStatus(), 400);
  });

  it('refuses a description without audio', () => {
    const e = parseErr(crlf([...MINIMAL.slice(0, -1), 'm=video 4000 RTP/AVP 96']), 'no-audio');
    assert.equal(e.responseStatus(), 488);
    parseErr(crlf(MINIMAL.slice(0, -1)), 'no-audio');
    parseErr(crlf([...MINIMAL.slice(0, -1), 'm=audio 4000 udp 0']), 'no-audio');
  });

  it('refuses bad ports', () => {
    parseErr(crlf([...MINIMAL.slice(0, -1), 'm=audio 65536 RTP/AVP 0']), 'port');
    parseErr(crlf([...MINIMAL.slice(0, -1), 'm=audio  RTP/AVP 0']), 'port');
    parseErr(crlf([...MINIMAL.slice(0, -1), 'm=audio 99999999999999999999 RTP/AVP 0']), 'port');
    parseErr(crlf([...MINIMAL.slice(0, -1), 'm=video 70000 RTP/AVP 96', 'm=audio 4000 RTP/AVP 0']), 'port');
  });

  it('refuses m= lines it cannot read (port ranges, missing protocol)', () => {
    parseErr(crlf([...MINIMAL.slice(0, -1), 'm=audio 49170/2 RTP/AVP 0']), 'media');
    parseErr(crlf([...MINIMAL.slice(0, -1), 'm=audio']), 'media');
  });

  it('refuses audio formats that are not payload types', () => {
    parseErr(crlf([...MINIMAL.slice(0, -1), 'm=audio 4000 RTP/AVP 0 PCMA']), 'format');
    parseErr(crlf([...MINIMAL.slice(0, -1), 'm=audio 4000 RTP/AVP 128']), 'format');
    parseErr(crlf([...MINIMAL.slice(0, -1), 'm=audio 4000 RTP/AVP']), 'format');
  });

  it('refuses a missing or malformed o= line', () => {
    parseErr(crlf(MINIMAL.filter((l) => !l.startsWith('o='))), 'origin');
    parseErr(crlf(['v=0', 'o=- x 1 IN IP4 192.0.2.1', ...MINIMAL.slice(2)]), 'origin');
    parseErr(crlf(['v=0', 'o=- 1 1 ATM IP4 192.0.2.1', ...MINIMAL.slice(2)]), 'origin');
  });

  it('refuses anything without v=0', () => {
    parseErr('', 'version');
    parseErr('hello world', 'version');
    parseErr(crlf(['v=1', ...MINIMAL.slice(1)]), 'version');
  });

  it('refuses a description over the size limit', () => {
    const big = crlf(MINIMAL) + `a=x:${'y'.repeat(MAX_SDP_LENGTH)}\r\n`;
    parseErr(big, 'too-large');
  });
});

describe('writeSdp', () => {
  it('writes exactly this for a typical answer', () => {
    const desc: SessionDescription = {
      origin: { username: '-', sessionId: '42', sessionVersion: 7n, addressType: 'IP4', address: '10.0.0.1' },
      sessionName: 'Dialtone',
      connection: { addressType: 'IP4', address: '10.0.0.1' },
      audio: audioSection({
        position: 0,
        port: 20000,
        protocol: 'RTP/AVP',
        formats: [
          { payloadType: 8, encoding: 'PCMA', clockRate: 8000 },
          { payloadType: 96, encoding: 'telephone-event', clockRate: 8000, fmtp: '0-16' },
        ],
        direction: 'recvonly',
        ptime: 20,
        rtcpMux: true,
        rtcp: { port: 20001 },
      }),
      otherMedia: [{ position: 1, type: 'video', port: 0, protocol: 'RTP/AVP', formats: ['96', '97'] }],
    };
    assert.equal(
      writeSdp(desc),
      crlf([
        'v=0',
        'o=- 42 7 IN IP4 10.0.0.1',
        's=Dialtone',
        'c=IN IP4 10.0.0.1',
        't=0 0',
        'm=audio 20000 RTP/AVP 8 96',
        'a=rtpmap:8 PCMA/8000',
        'a=rtpmap:96 telephone-event/8000',
        'a=fmtp:96 0-16',
        'a=rtcp:20001',
        'a=ptime:20',
        'a=recvonly',
        'a=rtcp-mux',
        'm=video 0 RTP/AVP 96 97',
      ]),
    );
  });

  it('writes sections in position order with their own c= lines', () => {
    const d = sdp('linphone-audio-video');
    const moved: SessionDescription = {
      ...d,
      audio: { ...d.audio, position: 1, connection: { addressType: 'IP4', address: '198.51.100.8' } },
      otherMedia: d.otherMedia.map((s) => ({ ...s, position: 0 })),
    };
    const text = writeSdp(moved);
    assert.ok(text.indexOf('m=video') < text.indexOf('m=audio'));
    assert.match(text, /m=audio 7078 RTP\/AVP [^\r]*\r\nc=IN IP4 198\.51\.100\.8\r\n/);
    assert.deepEqual(parseOk(text), moved);
  });

  it('writes "-" for an empty session name', () => {
    const d = sdp('sipp-uac');
    assert.match(writeSdp({ ...d, sessionName: '' }), /\r\ns=-\r\n/);
  });
});

describe('findTelephoneEvent', () => {
  it('prefers 8000 Hz, falls back to the first at another rate, defaults the events to 0-15', () => {
    assert.deepEqual(
      findTelephoneEvent([
        { payloadType: 110, encoding: 'telephone-event', clockRate: 48000 },
        { payloadType: 101, encoding: 'TELEPHONE-EVENT', clockRate: 8000, fmtp: '0-16' },
      ]),
      { payloadType: 101, clockRate: 8000, events: '0-16' },
    );
    assert.deepEqual(findTelephoneEvent([{ payloadType: 110, encoding: 'telephone-event', clockRate: 48000 }]), {
      payloadType: 110,
      clockRate: 48000,
      events: '0-15',
    });
    assert.equal(findTelephoneEvent([{ payloadType: 0, encoding: 'PCMU', clockRate: 8000 }]), undefined);
  });
});

describe('parseSdp: numbers beyond 2^53', () => {
  it('keeps a session version that a double would round (found by the round-trip property)', () => {
    const d = parseOk(crlf(['v=0', 'o=- 0 58453150127016820 IN IP4 192.0.2.1', ...MINIMAL.slice(2)]));
    assert.equal(d.origin.sessionVersion, 58453150127016820n);
  });
});

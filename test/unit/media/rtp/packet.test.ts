import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  RtpPacketView,
  parseRtp,
  parseRtpInto,
  rtpHeaderLength,
  serializeRtp,
  writeRtpHeader,
  type RtpHeaderInit,
} from '../../../../src/media/rtp/packet.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });

const headerArb = fc.record({
  marker: fc.boolean(),
  payloadType: fc.integer({ min: 0, max: 127 }),
  seq: fc.integer({ min: 0, max: 0xffff }),
  timestamp: u32,
  ssrc: u32,
  csrcs: fc.array(u32, { maxLength: 15 }),
  extension: fc.option(
    fc.record({
      profile: fc.integer({ min: 0, max: 0xffff }),
      data: fc.integer({ min: 0, max: 8 }).chain((words) => fc.uint8Array({ minLength: words * 4, maxLength: words * 4 })),
    }),
    { nil: null },
  ),
  paddingLength: fc.integer({ min: 0, max: 255 }),
});

describe('RTP packet', () => {
  it('parses a hand-built PCMU packet', () => {
    const bytes = Uint8Array.from([
      0x80, 0x80, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0xff, 0xfe, 0x7f,
    ]);
    const view = parseRtp(bytes);
    assert.ok(view);
    assert.equal(view.version, 2);
    assert.equal(view.marker, true);
    assert.equal(view.payloadType, 0);
    assert.equal(view.seq, 0x1234);
    assert.equal(view.timestamp, 0xdeadbeef);
    assert.equal(view.ssrc, 0x01020304);
    assert.equal(view.csrcCount, 0);
    assert.equal(view.extension, false);
    assert.equal(view.padding, false);
    assert.deepEqual([...view.payload], [0xff, 0xfe, 0x7f]);
    assert.equal(view.payload.buffer, bytes.buffer, 'payload is a view, not a copy');
  });

  it('skips CSRCs and the header extension and removes padding', () => {
    const bytes = Uint8Array.from([
      0xb2, 0x08, 0x00, 0x01, 0, 0, 0, 160, 0, 0, 0, 7, // V=2 P=1 X=1 CC=2, PT 8
      0, 0, 0, 1, 0, 0, 0, 2, // CSRCs
      0xbe, 0xde, 0x00, 0x01, 0x10, 0xaa, 0x00, 0x00, // extension, one word
      0x55, 0x55, // payload
      0, 0, 3, // padding of 3
    ]);
    const view = parseRtp(bytes);
    assert.ok(view);
    assert.equal(view.csrcCount, 2);
    assert.deepEqual([...view.csrcs.subarray(0, 2)], [1, 2]);
    assert.equal(view.extensionProfile, 0xbede);
    assert.deepEqual([...view.extensionData], [0x10, 0xaa, 0, 0]);
    assert.equal(view.headerLength, 28);
    assert.equal(view.paddingLength, 3);
    assert.deepEqual([...view.payload], [0x55, 0x55]);
  });

  it('rejects what is not RTP, without throwing', () => {
    const good = new Uint8Array(20);
    good[0] = 0x80;
    assert.ok(parseRtp(good));
    assert.equal(parseRtp(new Uint8Array(11).fill(0x80)), null, 'shorter than the fixed header');
    assert.equal(parseRtp(Uint8Array.from([0x40, ...new Array(15).fill(0)])), null, 'version 1');
    assert.equal(parseRtp(Uint8Array.from([0x83, ...new Array(15).fill(0)])), null, 'CSRCs past the end');
    const ext = new Uint8Array(16);
    ext[0] = 0x90;
    ext[14] = 0;
    ext[15] = 1; // one extension word announced, none present
    assert.equal(parseRtp(ext), null, 'extension past the end');
    const pad0 = new Uint8Array(16);
    pad0[0] = 0xa0;
    assert.equal(parseRtp(pad0), null, 'padding count 0');
    const padBig = new Uint8Array(16);
    padBig[0] = 0xa0;
    padBig[15] = 5;
    assert.equal(parseRtp(padBig), null, 'padding longer than the payload');
    padBig[15] = 4;
    assert.equal(parseRtp(padBig)?.payloadLength, 0, 'padding filling the payload exactly');
  });

  it('reuses one view without stale payloads', () => {
    const view = new RtpPacketView();
    const a = new Uint8Array(14);
    a[0] = 0x80;
    a[12] = 1;
    a[13] = 2;
    const b = new Uint8Array(13);
    b[0] = 0x80;
    b[12] = 9;
    assert.ok(parseRtpInto(a, view));
    assert.deepEqual([...view.payload], [1, 2]);
    assert.ok(parseRtpInto(b, view));
    assert.deepEqual([...view.payload], [9]);
    assert.equal(view.payload, view.payload, 'the view is cached between reads');
  });

  it('round-trips any header, payload and padding (property)', () => {
    fc.assert(
      fc.property(headerArb, fc.uint8Array({ maxLength: 200 }), (header, payload) => {
        const buf = new Uint8Array(2000);
        const length = serializeRtp(header, payload, buf, 3);
        assert.equal(length, rtpHeaderLength(header) + payload.length + header.paddingLength);
        const view = parseRtp(buf.subarray(3, 3 + length));
        assert.ok(view);
        assert.equal(view.marker, header.marker);
        assert.equal(view.payloadType, header.payloadType);
        assert.equal(view.seq, header.seq);
        assert.equal(view.timestamp, header.timestamp);
        assert.equal(view.ssrc, header.ssrc);
        assert.deepEqual([...view.csrcs.subarray(0, view.csrcCount)], header.csrcs);
        assert.equal(view.extension, header.extension !== null);
        if (header.extension) {
          assert.equal(view.extensionProfile, header.extension.profile);
          assert.deepEqual([...view.extensionData], [...header.extension.data]);
        }
        assert.equal(view.padding, header.paddingLength > 0);
        assert.equal(view.paddingLength, header.paddingLength);
        assert.deepEqual([...view.payload], [...payload]);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on random bytes, and what it accepts is consistent (property)', () => {
    const view = new RtpPacketView();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        if (bytes.length > 0) bytes[0] = (bytes[0]! & 0x3f) | 0x80; // mostly version 2, to get past the first check
        if (!parseRtpInto(bytes, view)) return true;
        return (
          view.headerLength >= 12 &&
          view.payloadOffset === view.headerLength &&
          view.payloadOffset + view.payloadLength + view.paddingLength === bytes.length &&
          view.payloadLength >= 0
        );
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        parseRtp(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on mutated valid packets (property)', () => {
    fc.assert(
      fc.property(
        headerArb,
        fc.uint8Array({ maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        (header, payload, flips, cut) => {
          const buf = new Uint8Array(1000);
          const length = serializeRtp(header, payload, buf);
          const packet = buf.subarray(0, length);
          for (const [at, value] of flips) packet[at % length] = value;
          parseRtp(packet.subarray(0, length - (cut % 8 === 0 ? cut % length : 0)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('writes a header for the payload to follow in place', () => {
    const header: RtpHeaderInit = { marker: false, payloadType: 0, seq: 65535, timestamp: 0xffffffff, ssrc: 42 };
    const buf = new Uint8Array(172);
    assert.equal(writeRtpHeader(header, buf), 12);
    assert.deepEqual([...buf.subarray(0, 12)], [0x80, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 42]);
  });

  it('refuses headers it cannot write', () => {
    const base: RtpHeaderInit = { marker: false, payloadType: 0, seq: 0, timestamp: 0, ssrc: 0 };
    assert.throws(() => writeRtpHeader({ ...base, csrcs: new Array(16).fill(1) }, new Uint8Array(200)), RangeError);
    assert.throws(
      () => writeRtpHeader({ ...base, extension: { profile: 1, data: new Uint8Array(3) } }, new Uint8Array(200)),
      RangeError,
    );
    assert.throws(() => writeRtpHeader(base, new Uint8Array(11)), RangeError);
    assert.throws(() => serializeRtp(base, new Uint8Array(10), new Uint8Array(21)), RangeError);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  SDES_CNAME,
  compactNtp,
  findCname,
  isRtcp,
  ntpFromUnixMs,
  parseRtcp,
  roundTripMs,
  writeBye,
  writeReceiverReport,
  writeRtcpCompound,
  writeSdesCname,
  writeSenderReport,
  type ReportBlock,
  type RtcpPacket,
} from '../../../../src/media/rtp/rtcp.js';
import { RtpReceiveStats } from '../../../../src/media/rtp/sequence.js';

/** Records with an ordinary prototype, so deepStrictEqual compares them with parsed objects. */
function record<T>(shape: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(shape, { noNullPrototype: true });
}

const u32 = fc.integer({ min: 0, max: 0xffffffff });

const reportArb: fc.Arbitrary<ReportBlock> = record({
  ssrc: u32,
  fractionLost: fc.integer({ min: 0, max: 255 }),
  cumulativeLost: fc.integer({ min: -0x800000, max: 0x7fffff }),
  extendedHighestSeq: u32,
  jitter: u32,
  lastSr: u32,
  delaySinceLastSr: u32,
});

const textArb = fc.string({ maxLength: 60, unit: 'grapheme' }); // ≤ 240 UTF-8 bytes

const packetArb: fc.Arbitrary<RtcpPacket> = fc.oneof(
  record({
    type: fc.constant('sr' as const),
    ssrc: u32,
    sender: record({ ntpSec: u32, ntpFrac: u32, rtpTimestamp: u32, packetCount: u32, octetCount: u32 }),
    reports: fc.array(reportArb, { maxLength: 4 }),
  }),
  record({ type: fc.constant('rr' as const), ssrc: u32, reports: fc.array(reportArb, { maxLength: 4 }) }),
  record({
    type: fc.constant('sdes' as const),
    chunks: fc.array(
      record({
        ssrc: u32,
        items: fc.array(record({ type: fc.integer({ min: 1, max: 8 }), value: textArb }), { maxLength: 3 }),
      }),
      { maxLength: 3 },
    ),
  }),
  fc.oneof(
    record({ type: fc.constant('bye' as const), sources: fc.array(u32, { maxLength: 4 }) }),
    record({ type: fc.constant('bye' as const), sources: fc.array(u32, { maxLength: 4 }), reason: textArb }),
  ),
);

describe('RTCP', () => {
  it('writes the exact bytes of an empty RR and an SDES CNAME', () => {
    const buf = new Uint8Array(64);
    const rr = writeReceiverReport(buf, 0, 0x01020304);
    assert.deepEqual([...buf.subarray(0, rr)], [0x80, 201, 0, 1, 1, 2, 3, 4]);
    const sdes = writeSdesCname(buf, rr, 0x01020304, 'a');
    // header, SSRC, CNAME item (type 1, length 1, "a"), one null octet to end the list.
    assert.deepEqual([...buf.subarray(rr, rr + sdes)], [0x81, 202, 0, 2, 1, 2, 3, 4, 1, 1, 0x61, 0]);
    const both = parseRtcp(buf.subarray(0, rr + sdes));
    assert.deepEqual(both, [
      { type: 'rr', ssrc: 0x01020304, reports: [] },
      { type: 'sdes', chunks: [{ ssrc: 0x01020304, items: [{ type: SDES_CNAME, value: 'a' }] }] },
    ]);
  });

  it('round-trips a leg report: SR + SDES CNAME + BYE', () => {
    const block: ReportBlock = {
      ssrc: 99,
      fractionLost: 25,
      cumulativeLost: -3,
      extendedHighestSeq: 70000,
      jitter: 80,
      lastSr: 0xabcd1234,
      delaySinceLastSr: 65536,
    };
    const packets: RtcpPacket[] = [
      {
        type: 'sr',
        ssrc: 7,
        sender: { ntpSec: 3900000000, ntpFrac: 0x80000000, rtpTimestamp: 123456, packetCount: 500, octetCount: 80000 },
        reports: [block],
      },
      { type: 'sdes', chunks: [{ ssrc: 7, items: [{ type: SDES_CNAME, value: 'leg-7@dialtone' }] }] },
      { type: 'bye', sources: [7], reason: 'hangup' },
    ];
    const buf = new Uint8Array(256);
    const length = writeRtcpCompound(buf, packets);
    assert.equal(length % 4, 0);
    const parsed = parseRtcp(buf.subarray(0, length), { requireReportFirst: true });
    assert.deepEqual(parsed, packets);
    assert.equal(findCname(parsed!, 7), 'leg-7@dialtone');
    assert.equal(findCname(parsed!, 8), undefined);
  });

  it('round-trips any compound packet (property)', () => {
    fc.assert(
      fc.property(fc.array(packetArb, { minLength: 1, maxLength: 4 }), (packets) => {
        const buf = new Uint8Array(8192);
        const length = writeRtcpCompound(buf, packets);
        const parsed = parseRtcp(buf.subarray(0, length));
        assert.deepEqual(parsed, packets);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on random or mutated bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        if (bytes.length > 0) bytes[0] = (bytes[0]! & 0x3f) | 0x80;
        parseRtcp(bytes);
      }),
      { numRuns: 800 },
    );
    fc.assert(
      fc.property(
        fc.array(packetArb, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }),
        (packets, flips) => {
          const buf = new Uint8Array(8192);
          const length = writeRtcpCompound(buf, packets);
          for (const [at, value] of flips) buf[at % length] = value;
          parseRtcp(buf.subarray(0, length));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects malformed compounds', () => {
    const buf = new Uint8Array(64);
    const a = writeReceiverReport(buf, 0, 1);
    const b = writeBye(buf, a, [1]);
    assert.ok(parseRtcp(buf.subarray(0, a + b)));
    assert.equal(parseRtcp(buf.subarray(0, a + b - 1)), null, 'length past the end');
    assert.equal(parseRtcp(buf.subarray(0, a + b + 2)), null, 'trailing bytes');
    assert.equal(parseRtcp(new Uint8Array(0)), null, 'empty');
    const padded = Uint8Array.from(buf.subarray(0, a + b));
    padded[0] = padded[0]! | 0x20;
    assert.equal(parseRtcp(padded), null, 'padding on a packet other than the last');
    const version = Uint8Array.from(buf.subarray(0, a));
    version[0] = 0x40;
    assert.equal(parseRtcp(version), null, 'version 1');
    const srShort = Uint8Array.from([0x81, 200, 0, 1, 0, 0, 0, 1]);
    assert.equal(parseRtcp(srShort), null, 'SR with a report count and no room for it');
    assert.equal(parseRtcp(buf.subarray(a, a + b), { requireReportFirst: true }), null, 'BYE first');
    assert.deepEqual(parseRtcp(buf.subarray(a, a + b)), [{ type: 'bye', sources: [1] }], 'reduced-size RTCP');
  });

  it('removes padding from the last packet', () => {
    const buf = new Uint8Array(64);
    const n = writeReceiverReport(buf, 0, 5);
    buf[0] = buf[0]! | 0x20;
    buf[3] = 2; // length 3 words: 8 bytes of RR + 4 of padding
    buf[n + 3] = 4;
    assert.deepEqual(parseRtcp(buf.subarray(0, n + 4)), [{ type: 'rr', ssrc: 5, reports: [] }]);
  });

  it('keeps unknown packet types as raw bodies', () => {
    const app = Uint8Array.from([0x81, 204, 0, 2, 0, 0, 0, 9, 0x41, 0x42, 0x43, 0x44]);
    const parsed = parseRtcp(app);
    assert.equal(parsed?.[0]?.type, 'other');
    const buf = new Uint8Array(12);
    assert.equal(writeRtcpCompound(buf, parsed!), 12);
    assert.deepEqual([...buf], [...app]);
  });

  it('converts times to NTP and computes the round trip from a report block', () => {
    assert.deepEqual(ntpFromUnixMs(0), { ntpSec: 2208988800, ntpFrac: 0 });
    assert.deepEqual(ntpFromUnixMs(1500), { ntpSec: 2208988801, ntpFrac: 0x80000000 });
    const sentAt = 1_700_000_000_000;
    const { ntpSec, ntpFrac } = ntpFromUnixMs(sentAt);
    const block: ReportBlock = {
      ssrc: 1,
      fractionLost: 0,
      cumulativeLost: 0,
      extendedHighestSeq: 0,
      jitter: 0,
      lastSr: compactNtp(ntpSec, ntpFrac),
      delaySinceLastSr: 65536, // the peer held our SR for 1 s
    };
    const rtt = roundTripMs(block, sentAt + 1100);
    assert.ok(rtt !== null && Math.abs(rtt - 100) < 0.1, `rtt ${rtt}`);
    assert.equal(roundTripMs({ ...block, lastSr: 0 }, sentAt), null);
  });

  it('tells RTCP from RTP on a muxed port', () => {
    assert.equal(isRtcp(Uint8Array.from([0x80, 200, 0, 6])), true);
    assert.equal(isRtcp(Uint8Array.from([0x80, 0, 0, 1])), false);
    assert.equal(isRtcp(Uint8Array.from([0x80, 0x80 | 96, 0, 1])), false, 'RTP PT 96 with marker');
  });

  it('carries the receive statistics of a leg', () => {
    const stats = new RtpReceiveStats({ clockRate: 8000, minSequential: 1 });
    for (let s = 0; s < 50; s++) if (s !== 10) stats.update(s, s * 160, s * 20);
    const block = stats.report(
      { ssrc: 0, fractionLost: 0, cumulativeLost: 0, extendedHighestSeq: 0, jitter: 0, lastSr: 0, delaySinceLastSr: 0 },
      0xfeed,
      1000,
    );
    const buf = new Uint8Array(64);
    const n = writeReceiverReport(buf, 0, 0xbeef, [block]);
    const [rr] = parseRtcp(buf.subarray(0, n))!;
    assert.equal(rr?.type, 'rr');
    if (rr?.type === 'rr') {
      assert.equal(rr.reports[0]?.cumulativeLost, 1);
      assert.equal(rr.reports[0]?.fractionLost, Math.floor(256 / 50));
      assert.equal(rr.reports[0]?.extendedHighestSeq, 49);
    }
  });

  it('refuses what the format cannot carry', () => {
    const buf = new Uint8Array(2048);
    const block: ReportBlock = { ssrc: 0, fractionLost: 0, cumulativeLost: 0, extendedHighestSeq: 0, jitter: 0, lastSr: 0, delaySinceLastSr: 0 };
    assert.throws(() => writeReceiverReport(buf, 0, 1, new Array(32).fill(block)), RangeError);
    assert.throws(() => writeSdesCname(buf, 0, 1, 'x'.repeat(256)), RangeError);
    assert.throws(() => writeSenderReport(new Uint8Array(27), 0, 1, { ntpSec: 0, ntpFrac: 0, rtpTimestamp: 0, packetCount: 0, octetCount: 0 }), RangeError);
  });
});

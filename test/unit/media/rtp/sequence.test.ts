import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RtpPacketView, serializeRtp, type RtpHeaderInit } from '../../../../src/media/rtp/packet.js';
import type { ReportBlock } from '../../../../src/media/rtp/rtcp.js';
import {
  RtpReceiveStats,
  RtpSender,
  SequenceUnwrapper,
  seqAdd,
  seqDiff,
  seqNewer,
  tsAdd,
  tsDiff,
  tsNewer,
} from '../../../../src/media/rtp/sequence.js';

function header(): RtpHeaderInit {
  return { marker: false, payloadType: 0, seq: 0, timestamp: 0, ssrc: 0 };
}

function block(): ReportBlock {
  return { ssrc: 0, fractionLost: 0, cumulativeLost: 0, extendedHighestSeq: 0, jitter: 0, lastSr: 0, delaySinceLastSr: 0 };
}

describe('sequence and timestamp arithmetic', () => {
  it('compares sequence numbers across the wrap', () => {
    assert.equal(seqDiff(0, 65535), 1);
    assert.equal(seqDiff(65535, 0), -1);
    assert.equal(seqDiff(100, 50), 50);
    assert.equal(seqDiff(5, 65530), 11);
    assert.equal(seqDiff(0, 32768), -32768);
    assert.equal(seqDiff(32767, 0), 32767);
    assert.equal(seqAdd(65535, 1), 0);
    assert.equal(seqAdd(0, -1), 65535);
    assert.ok(seqNewer(2, 65534));
    assert.ok(!seqNewer(65534, 2));
  });

  it('compares timestamps across the wrap', () => {
    assert.equal(tsDiff(0, 0xffffffff), 1);
    assert.equal(tsDiff(0xffffffff, 0), -1);
    assert.equal(tsDiff(160, 0xffffff60), 320);
    assert.equal(tsAdd(0xffffff60, 160), 0);
    assert.equal(tsAdd(0, -160), 0xffffff60);
    assert.ok(tsNewer(100, 0xfffffff0));
  });

  it('seqDiff inverts seqAdd, tsDiff inverts tsAdd (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: -32768, max: 32767 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: -0x80000000, max: 0x7fffffff }),
        (s, d, t, e) => seqDiff(seqAdd(s, d), s) === d && tsDiff(tsAdd(t, e), t) === e,
      ),
      { numRuns: 500 },
    );
  });

  it('extends sequence numbers through wraps and reordering', () => {
    const u = new SequenceUnwrapper();
    const base = u.unwrap(65534);
    assert.equal(u.unwrap(65535), base + 1);
    assert.equal(u.unwrap(1), base + 3);
    assert.equal(u.unwrap(0), base + 2, 'reordered across the wrap');
    assert.equal(u.unwrap(2), base + 4);
    assert.equal(u.highest, base + 4);
    assert.equal(u.peek(65535), base + 1);
  });

  it('keeps extended numbers monotone over long runs with local reordering (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.array(fc.boolean(), { minLength: 10, maxLength: 400 }), (start, swaps) => {
        // a stream of 200 000 numbers is too long for a property; walk 3 wraps in strides instead
        const u = new SequenceUnwrapper();
        const first = u.unwrap(start);
        let expected = first;
        for (let i = 0; i < swaps.length; i++) {
          const step = 500;
          expected += step;
          if (swaps[i]) {
            // deliver n+1 before n
            assert.equal(u.unwrap((start + (expected - first) + 1) & 0xffff), expected + 1);
            assert.equal(u.unwrap((start + (expected - first)) & 0xffff), expected);
            expected += 1;
          } else {
            assert.equal(u.unwrap((start + (expected - first)) & 0xffff), expected);
          }
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe('RtpSender', () => {
  it('stamps frames, wraps seq and timestamp, marks the first frame and each talkspurt', () => {
    const sender = new RtpSender({ ssrc: 7, initialSeq: 65534, initialTimestamp: 0xffffff60 });
    const h = header();
    sender.frame(h, 0, 160, 160);
    assert.deepEqual({ ...h }, { marker: true, payloadType: 0, seq: 65534, timestamp: 0xffffff60, ssrc: 7 });
    sender.frame(h, 0, 160, 160);
    assert.deepEqual([h.marker, h.seq, h.timestamp], [false, 65535, 0]);
    sender.frame(h, 0, 160, 160);
    assert.deepEqual([h.marker, h.seq, h.timestamp], [false, 0, 160]);
    sender.idle(160);
    sender.idle(160);
    sender.frame(h, 0, 160, 160);
    assert.deepEqual([h.marker, h.seq, h.timestamp], [true, 1, 640], 'talkspurt after silence: marker, no seq gap');
    assert.equal(sender.packetCount, 4);
    assert.equal(sender.octetCount, 640);
    assert.equal(sender.describe(), 'rtp(send ssrc=0x00000007)');
  });

  it('stamps telephone-events with their own timestamp and keeps the clock running', () => {
    const sender = new RtpSender({ ssrc: 1, initialSeq: 10, initialTimestamp: 1000 });
    const h = header();
    const start = sender.timestamp;
    sender.stamped(h, 101, start, true, 160, 4);
    assert.deepEqual([h.marker, h.payloadType, h.seq, h.timestamp], [true, 101, 10, 1000]);
    sender.stamped(h, 101, start, false, 160, 4);
    assert.deepEqual([h.seq, h.timestamp], [11, 1000]);
    sender.frame(h, 0, 160, 160);
    assert.deepEqual([h.seq, h.timestamp], [12, 1320]);
  });

  it('draws unspecified initial values from the random source', () => {
    const values = [0xdeadbeef, 0x12345678, 0xcafef00d];
    const sender = new RtpSender({ random: () => values.shift()! });
    assert.equal(sender.ssrc, 0xdeadbeef);
    assert.equal(sender.seq, 0x5678);
    assert.equal(sender.timestamp, 0xcafef00d);
    const a = new RtpSender();
    const b = new RtpSender();
    assert.ok(a.ssrc !== b.ssrc || a.seq !== b.seq || a.timestamp !== b.timestamp, 'crypto-random by default');
  });
});

/** Feeds packets `seqs` 20 ms apart with matching 160-sample timestamps. */
function feed(stats: RtpReceiveStats, seqs: readonly number[], startMs = 0): boolean[] {
  return seqs.map((seq, i) => stats.update(seq, (seq * 160) >>> 0, startMs + i * 20));
}

describe('RtpReceiveStats (RFC 3550 A.1, A.3, A.8)', () => {
  it('puts a new source on probation, then counts', () => {
    const stats = new RtpReceiveStats({ clockRate: 8000 });
    const valid = feed(stats, [100, 101, 102, 103]);
    assert.deepEqual(valid, [false, true, true, true]);
    assert.equal(stats.received, 3);
    assert.equal(stats.expected, 3);
    assert.equal(stats.cumulativeLost, 0);
  });

  it('restarts probation on a non-sequential packet', () => {
    const stats = new RtpReceiveStats({ clockRate: 8000 });
    assert.deepEqual(feed(stats, [100, 200, 201, 202]), [false, false, true, true]);
    assert.equal(stats.received, 2);
  });

  it('counts loss and the fraction lost per interval', () => {
    const stats = new RtpReceiveStats({ clockRate: 8000, minSequential: 1 });
    const seqs = [];
    for (let s = 0; s < 100; s++) if (s % 10 !== 5) seqs.push(s);
    feed(stats, seqs);
    assert.equal(stats.expected, 100);
    assert.equal(stats.received, 90);
    assert.equal(stats.cumulativeLost, 10);
    assert.equal(stats.lossPercent, 10);
    const report = stats.report(block(), 99, 2000);
    assert.equal(report.fractionLost, Math.floor((10 * 256) / 100));
    assert.equal(report.cumulativeLost, 10);
    assert.equal(report.extendedHighestSeq, 99);
    const again = stats.report(block(), 99, 2000);
    assert.equal(again.fractionLost, 0, 'nothing new since the last report');
  });

  it('extends the highest sequence number across the wrap', () => {
    const stats = new RtpReceiveStats({ clockRate: 8000, minSequential: 1 });
    const seqs = [];
    for (let i = 0; i < 100; i++) seqs.push((65500 + i) & 0xffff);
    feed(stats, seqs);
    assert.equal(stats.extendedHighestSeq, 65536 + 63);
    assert.equal(stats.received, 100);
    assert.equal(stats.cumulativeLost, 0);
  });

  it('counts duplicates as received (lost goes negative) and accepts reordering', () => {
    const stats = new RtpReceiveStats({ clockRate: 8000, minSequential: 1 });
    assert.deepEqual(feed(stats, [1, 2, 2, 4, 3, 5]), [true, true, true, true, true, true]);
    assert.equal(stats.expected, 5);
    assert.equal(stats.received, 6);
    assert.equal(stats.cumulativeLost, -1);
    assert.equal(stats.report(block(), 1, 0).fractionLost, 0);
  });

  it('treats a large jump as a restart only when the next packet confirms it', () => {
    const stats = new RtpReceiveStats({ clockRate: 8000, minSequential: 1 });
    feed(stats, [1, 2, 3]);
    assert.equal(stats.update(20000, 0, 100), false, 'one stray packet is dropped');
    assert.equal(stats.update(4, 4 * 160, 120), true);
    assert.equal(stats.update(30000, 0, 140), false);
    assert.equal(stats.update(30001, 160, 160), true, 'the sender restarted');
    assert.equal(stats.received, 1);
    assert.equal(stats.expected, 1);
  });

  it('measures zero jitter for a steady stream and ~mean deviation for a jittery one', () => {
    const steady = new RtpReceiveStats({ clockRate: 8000, minSequential: 1 });
    for (let i = 0; i < 200; i++) steady.update(i, 0xfffff000 + i * 160, 1000 + i * 20);
    assert.ok(steady.jitter < 1e-9, `steady jitter ${steady.jitter}`);

    const jittery = new RtpReceiveStats({ clockRate: 8000, minSequential: 1 });
    for (let i = 0; i < 2000; i++) jittery.update(i, i * 160, i * 20 + (i % 2 === 0 ? 0 : 10));
    // |D| is always 10 ms = 80 timestamp units, so J converges to 80.
    assert.ok(Math.abs(jittery.jitter - 80) < 0.5, `jitter ${jittery.jitter}`);
    assert.ok(Math.abs(jittery.jitterMs - 10) < 0.1);
  });

  it('accounts for parsed packets exactly as for their fields', () => {
    const byFields = new RtpReceiveStats({ clockRate: 8000 });
    const byView = new RtpReceiveStats({ clockRate: 8000 });
    const view = new RtpPacketView();
    const buf = new Uint8Array(32);
    const seqs = [65533, 65534, 65535, 1, 0, 2, 2, 5, 3];
    seqs.forEach((seq, i) => {
      const timestamp = (0xfffff000 + seq * 160) >>> 0;
      const arrival = i * 20 + (i % 3) * 4;
      const n = serializeRtp({ marker: false, payloadType: 0, seq, timestamp, ssrc: 0xfeedface }, new Uint8Array(4), buf);
      assert.ok(view.parse(buf.subarray(0, n)));
      assert.equal(byView.updateRtp(view, arrival), byFields.update(seq, timestamp, arrival));
    });
    assert.deepEqual(
      [byView.received, byView.expected, byView.cumulativeLost, byView.extendedHighestSeq, byView.jitter],
      [byFields.received, byFields.expected, byFields.cumulativeLost, byFields.extendedHighestSeq, byFields.jitter],
    );
    assert.equal(byView.extendedHighestSeq, 65536 + 5);
  });

  it('reports LSR and DLSR from the last sender report', () => {
    const stats = new RtpReceiveStats({ clockRate: 8000, minSequential: 1 });
    feed(stats, [1, 2, 3]);
    const before = stats.report(block(), 5, 1000);
    assert.equal(before.lastSr, 0);
    assert.equal(before.delaySinceLastSr, 0);
    stats.onSenderReport(0x0001abcd, 0x12345678, 1000);
    const after = stats.report(block(), 5, 1500);
    assert.equal(after.lastSr, 0xabcd1234);
    assert.equal(after.delaySinceLastSr, 32768, '0.5 s in 1/65536 s');
    assert.equal(after.ssrc, 5);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JitterBuffer, type JitterPacket, type JitterPop } from '../../../../src/media/jitter/buffer.js';
import { RtpPacketView, serializeRtp } from '../../../../src/media/rtp/packet.js';
import { seededRandom } from '../signals.js';

/**
 * The `n`th 160-sample frame of a stream: sequence number and timestamp both
 * derived from `n` (so they wrap together); its first two bytes carry the
 * sequence number.
 */
function packet(n: number, extra: Partial<JitterPacket> = {}): JitterPacket {
  const seq = n & 0xffff;
  const payload = new Uint8Array(160);
  payload[0] = (seq >> 8) & 0xff;
  payload[1] = seq & 0xff;
  return { seq, timestamp: (n * 160) >>> 0, payload, marker: false, ...extra };
}

function label(pop: JitterPop): string {
  switch (pop.kind) {
    case 'frame':
      assert.equal((pop.payload[0]! << 8) | pop.payload[1]!, pop.seq, 'payload belongs to its frame');
      return String(pop.seq);
    case 'lost':
      return `L${pop.seq}`;
    case 'empty':
      return '-';
  }
}

/** Pushes at their given arrival times and pops every 20 ms (at 10 ms past each 20 ms mark) until `untilMs`. */
function play(jb: JitterBuffer, arrivals: readonly [JitterPacket, number][], untilMs: number): string[] {
  const sorted = [...arrivals].sort((a, b) => a[1] - b[1]);
  const out: string[] = [];
  let next = 0;
  for (let now = 10; now <= untilMs; now += 20) {
    while (next < sorted.length && sorted[next]![1] <= now) {
      jb.push(sorted[next]![0], sorted[next]![1]);
      next++;
    }
    out.push(label(jb.pop(now)));
  }
  return out;
}

function steady(seqs: readonly number[], startMs = 0): [JitterPacket, number][] {
  return seqs.map((s, i) => [packet(s), startMs + i * 20]);
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

function seqLabels(ns: readonly number[]): string[] {
  return ns.map((n) => String(n & 0xffff));
}

describe('jitter buffer', () => {
  it('waits for the initial target delay, then plays in order', () => {
    const jb = new JitterBuffer();
    const out = play(jb, steady(range(100, 10)), 300);
    assert.deepEqual(out.slice(0, 14), ['-', '-', '-', '100', '101', '102', '103', '104', '105', '106', '107', '108', '109', '-']);
    assert.equal(jb.stats.played, 10);
    assert.equal(jb.stats.lost, 0);
    assert.equal(jb.describe(), `jitter(${Math.round(jb.targetDelayMs)}ms)`);
  });

  it('puts reordered packets back in order', () => {
    const jb = new JitterBuffer();
    const arrivals: [JitterPacket, number][] = [
      [packet(1), 0],
      [packet(3), 20],
      [packet(2), 25],
      [packet(5), 60],
      [packet(4), 61],
      [packet(6), 100],
    ];
    const out = play(jb, arrivals, 240).filter((x) => x !== '-');
    assert.deepEqual(out, ['1', '2', '3', '4', '5', '6']);
    assert.equal(jb.stats.reordered, 2);
  });

  it('reports a missing frame as lost, with the timestamp it should have had', () => {
    const jb = new JitterBuffer();
    const seqs = range(10, 8).filter((s) => s !== 13);
    const pops: JitterPop[] = [];
    const sorted = steady(seqs);
    let next = 0;
    for (let now = 10; now < 400; now += 20) {
      while (next < sorted.length && sorted[next]![1] <= now) jb.push(sorted[next]![0], sorted[next++]![1]);
      const pop = jb.pop(now);
      if (pop.kind === 'lost') pops.push({ ...pop });
      else if (pop.kind === 'frame') pops.push({ kind: 'frame', seq: pop.seq, timestamp: pop.timestamp, marker: false, payload: pop.payload });
    }
    assert.deepEqual(pops.map(label), ['10', '11', '12', 'L13', '14', '15', '16', '17']);
    const lost = pops[3]!;
    assert.equal(lost.kind === 'lost' ? lost.timestamp : -1, 13 * 160);
    assert.equal(jb.stats.lost, 1);
  });

  it('drops duplicates, queued or already played, and late packets', () => {
    const jb = new JitterBuffer({ initialDelayMs: 20 });
    assert.equal(jb.push(packet(1), 0), 'queued');
    assert.equal(jb.push(packet(1), 1), 'duplicate');
    assert.equal(jb.push(packet(3), 2), 'queued');
    assert.equal(label(jb.pop(30)), '1');
    assert.equal(jb.push(packet(1), 31), 'duplicate', 'a copy of a played frame');
    assert.equal(label(jb.pop(50)), 'L2');
    assert.equal(jb.push(packet(2), 51), 'late');
    assert.equal(label(jb.pop(70)), '3');
    assert.deepEqual([jb.stats.received, jb.stats.duplicates, jb.stats.late, jb.stats.lost, jb.stats.played], [5, 2, 1, 1, 2]);
  });

  it('plays straight through sequence-number wrap-around', () => {
    const jb = new JitterBuffer();
    const seqs = range(65530, 12);
    const out = play(jb, steady(seqs), 400).filter((x) => x !== '-');
    assert.deepEqual(out, seqLabels(seqs));
    assert.equal(jb.stats.lost + jb.stats.late + jb.stats.resets, 0);
  });

  it('reorders across the wrap', () => {
    const jb = new JitterBuffer();
    const arrivals: [JitterPacket, number][] = [
      [packet(65534), 0],
      [packet(65536), 20],
      [packet(65535), 22],
      [packet(65537), 40],
    ];
    assert.deepEqual(play(jb, arrivals, 200).filter((x) => x !== '-'), ['65534', '65535', '0', '1']);
  });

  it('moves its start back for a packet reordered before playback began', () => {
    const jb = new JitterBuffer();
    const arrivals: [JitterPacket, number][] = [
      [packet(11), 0],
      [packet(10), 5],
      [packet(12), 20],
    ];
    assert.deepEqual(play(jb, arrivals, 200).filter((x) => x !== '-'), ['10', '11', '12']);
    assert.equal(jb.stats.late, 0);
  });

  it('restarts on a new SSRC', () => {
    const jb = new JitterBuffer({ initialDelayMs: 20 });
    jb.push(packet(1, { ssrc: 1 }), 0);
    jb.push(packet(2, { ssrc: 1 }), 20);
    assert.equal(label(jb.pop(30)), '1');
    assert.equal(jb.push(packet(5000, { ssrc: 2 }), 40), 'queued');
    assert.equal(jb.stats.resets, 1);
    assert.equal(jb.queued, 1, 'the old stream was dropped');
    assert.equal(label(jb.pop(50)), '-');
    assert.equal(label(jb.pop(70)), '5000');
  });

  it('restarts on a large sequence jump once the next packet confirms it', () => {
    const jb = new JitterBuffer({ initialDelayMs: 20 });
    jb.push(packet(1), 0);
    jb.push(packet(2), 20);
    assert.equal(jb.push(packet(30000), 21), 'dropped', 'a stray packet');
    assert.equal(jb.push(packet(3), 40), 'queued');
    assert.equal(jb.push(packet(40000), 41), 'dropped');
    assert.equal(jb.push(packet(40001), 60), 'queued', 'confirmed: the sender restarted');
    assert.equal(jb.stats.resets, 1);
    assert.deepEqual([label(jb.pop(80)), label(jb.pop(100))], ['40001', '-'], 'played after its 20 ms target');
  });

  it('runs dry when the sender pauses, and buffers again when it resumes', () => {
    const jb = new JitterBuffer();
    const arrivals = [...steady(range(1, 5)), ...steady(range(6, 5), 1000)];
    const out = play(jb, arrivals, 1300);
    assert.deepEqual(out.filter((x) => x !== '-'), seqLabels(range(1, 10)));
    assert.equal(jb.stats.underruns, 1);
    assert.equal(jb.stats.lost, 0, 'a pause is not loss');
  });

  it("throws frames away when the sender's clock runs fast, keeping the delay bounded", () => {
    const jb = new JitterBuffer();
    const arrivals: [JitterPacket, number][] = [];
    for (let i = 0; i < 2000; i++) arrivals.push([packet(i), i * 19]); // 5 % fast
    const sorted = arrivals;
    let next = 0;
    let maxAhead = 0;
    for (let now = 10; now <= 2000 * 19 + 500; now += 20) {
      while (next < sorted.length && sorted[next]![1] <= now) jb.push(sorted[next]![0], sorted[next++]![1]);
      jb.pop(now);
      if (now > 5000) maxAhead = Math.max(maxAhead, jb.bufferedMs);
    }
    assert.ok(jb.stats.discarded >= 80, `discarded ${jb.stats.discarded}`);
    assert.ok(maxAhead <= 2 * jb.targetDelayMs + 60, `max queued ${maxAhead} ms, target ${jb.targetDelayMs}`);
    assert.equal(jb.stats.played + jb.stats.discarded + jb.stats.lost, 2000);
    assert.equal(jb.stats.lost, 0);
  });

  it('rides out a stall: the burst after it is played, not lost', () => {
    const jb = new JitterBuffer({ initialDelayMs: 40 });
    const arrivals: [JitterPacket, number][] = steady(range(0, 10));
    for (let i = 10; i < 25; i++) arrivals.push([packet(i), 500]); // 300 ms stall, then all at once
    for (let i = 25; i < 60; i++) arrivals.push([packet(i), 500 + (i - 24) * 20]);
    const out = play(jb, arrivals, 2000).filter((x) => x !== '-');
    assert.equal(jb.stats.lost, 0);
    assert.equal(jb.stats.underruns, 2, 'the stall, and the end of the stream');
    assert.equal(jb.stats.played + jb.stats.discarded, 60);
    assert.deepEqual(out, out.slice().sort((a, b) => Number(a) - Number(b)));
    assert.ok(jb.targetDelayMs > 100, `target grew to ${jb.targetDelayMs}`);
  });

  it('is not thrown by a timestamp jump behind the same SSRC', () => {
    const jb = new JitterBuffer();
    const arrivals: [JitterPacket, number][] = [];
    for (let i = 0; i < 300; i++) arrivals.push([packet(i, { timestamp: i < 150 ? 900_000 + i * 160 : i * 160 }), i * 20]);
    play(jb, arrivals, 300 * 20 + 200);
    assert.ok(jb.targetDelayMs < 60, `target ${jb.targetDelayMs}`);
    assert.equal(jb.stats.lost + jb.stats.late, 0);
  });

  it('adapts its target delay to the measured jitter, within its bounds', () => {
    const random = seededRandom(5);
    const calm = new JitterBuffer();
    const jittery = new JitterBuffer();
    const wild = new JitterBuffer({ maxDelayMs: 200 });
    for (let i = 0; i < 1500; i++) {
      calm.push(packet(i), i * 20 + random() * 2);
      jittery.push(packet(i), i * 20 + random() * 60);
      wild.push(packet(i), i * 20 + random() * 500);
      for (const jb of [calm, jittery, wild]) jb.pop(i * 20 + 10);
    }
    assert.ok(calm.targetDelayMs <= 25, `calm target ${calm.targetDelayMs}`);
    assert.ok(jittery.targetDelayMs >= 50 && jittery.targetDelayMs <= 75, `jittery target ${jittery.targetDelayMs}`);
    assert.equal(wild.targetDelayMs, 200);
    assert.ok(jittery.jitterMs > calm.jitterMs);
  });

  it('plays a jittery stream without loss once adapted', () => {
    const random = seededRandom(11);
    const jb = new JitterBuffer();
    const arrivals: [JitterPacket, number][] = [];
    for (let i = 0; i < 3000; i++) arrivals.push([packet(i), i * 20 + random() * 60]);
    const out = play(jb, arrivals, 3000 * 20 + 500);
    const lateAfterWarmup = out.slice(500).filter((x) => x.startsWith('L')).length;
    assert.ok(lateAfterWarmup <= 3, `${lateAfterWarmup} lost after warm-up`);
    assert.equal(jb.stats.played + jb.stats.lost + jb.stats.discarded + jb.stats.late, 3000);
  });

  it('plays every frame at most once and in order, through any local reordering and duplication (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 80 }), fc.boolean(), fc.boolean()), { minLength: 20, maxLength: 150 }),
        (start, perPacket) => {
          const jb = new JitterBuffer();
          const arrivals: [JitterPacket, number][] = [];
          perPacket.forEach(([delay, lose, dup], i) => {
            if (lose && i % 3 === 0) return;
            arrivals.push([packet(start + i), i * 20 + delay]);
            if (dup) arrivals.push([packet(start + i), i * 20 + delay + 7]);
          });
          const out = play(jb, arrivals, perPacket.length * 20 + 1000);
          const played = out.filter((x) => x !== '-' && !x.startsWith('L')).map(Number);
          const order = played.map((s) => (s - start) & 0xffff);
          for (let i = 1; i < order.length; i++) if (order[i]! <= order[i - 1]!) return false;
          const s = jb.stats;
          const unique = new Set(arrivals.map(([p]) => p.seq)).size;
          return (
            s.received === arrivals.length &&
            s.played === played.length &&
            s.played + s.discarded <= unique &&
            s.duplicates + s.late + s.played + s.discarded === s.received - s.dropped - jb.queued
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reads parsed RTP packets in place and restarts on their SSRC', () => {
    const jb = new JitterBuffer({ initialDelayMs: 20 });
    const buf = new Uint8Array(200);
    const view = new RtpPacketView();
    const payload = new Uint8Array(160).fill(0x7e);
    const n = serializeRtp({ marker: true, payloadType: 0, seq: 9, timestamp: 1440, ssrc: 77 }, payload, buf);
    assert.ok(view.parse(buf.subarray(0, n)));
    assert.equal(jb.pushRtp(view, 0), 'queued');
    buf.fill(0); // the datagram buffer is reused by the socket: the jitter buffer kept a copy
    const frame = jb.pop(30);
    assert.equal(frame.kind, 'frame');
    if (frame.kind === 'frame') {
      assert.equal(frame.marker, true);
      assert.equal(frame.timestamp, 1440);
      assert.deepEqual(frame.payload, payload);
    }
  });

  it('reuses its result objects and drops payloads larger than a slot', () => {
    const jb = new JitterBuffer({ initialDelayMs: 20 });
    for (let i = 0; i < 4; i++) jb.push(packet(i), i * 20);
    const a = jb.pop(70);
    const b = jb.pop(90);
    assert.equal(a, b, 'one frame object, refilled');
    assert.equal(jb.push({ seq: 10, timestamp: 0, marker: false, payload: new Uint8Array(321) }, 100), 'dropped');
    assert.equal(jb.stats.dropped, 1);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { DtmfDigitEvent } from '../../../../src/media/dtmf/digit.js';
import { DTMF_DIGITS, dtmfDigitOf, dtmfEventCode, dtmfFrequencies, isDtmfDigit } from '../../../../src/media/dtmf/digit.js';
import {
  DtmfReceiver,
  DtmfSender,
  createTelephoneEventPacket,
  writeTelephoneEvent,
} from '../../../../src/media/dtmf/rfc4733.js';
import { RtpPacketView, serializeRtp, type RtpHeaderInit } from '../../../../src/media/rtp/packet.js';
import { RtpSender } from '../../../../src/media/rtp/sequence.js';

const PT = 101;

/** One tick's worth of what the leg would send. */
interface Sent {
  tick: number;
  seq: number;
  event: boolean;
  timestamp: number;
  marker: boolean;
  payload: Uint8Array;
}

/** Runs a sender for `ticks` ticks the way a leg would, telephone-events replacing audio frames. */
function runLeg(dtmf: DtmfSender, ticks: number, rtp = new RtpSender({ ssrc: 1, initialSeq: 65530, initialTimestamp: 0xfffffc00 })): Sent[] {
  const out: Sent[] = [];
  const ev = createTelephoneEventPacket();
  const h: RtpHeaderInit = { marker: false, payloadType: 0, seq: 0, timestamp: 0, ssrc: 0 };
  for (let tick = 0; tick < ticks; tick++) {
    if (dtmf.step(rtp, ev)) {
      rtp.stamped(h, ev.payloadType, ev.timestamp, ev.marker, 160, 4);
      out.push({ tick, seq: h.seq, event: true, timestamp: h.timestamp, marker: h.marker, payload: Uint8Array.from(ev.payload) });
    } else {
      rtp.frame(h, 0, 160, 160);
      out.push({ tick, seq: h.seq, event: false, timestamp: h.timestamp, marker: h.marker, payload: new Uint8Array(0) });
    }
  }
  return out;
}

function collect(options: { endTimeoutMs?: number } = {}): { receiver: DtmfReceiver; digits: DtmfDigitEvent[] } {
  const digits: DtmfDigitEvent[] = [];
  const receiver = new DtmfReceiver({ onDigit: (d) => digits.push(d), ...options });
  return { receiver, digits };
}

describe('DTMF digits', () => {
  it('maps digits to RFC 4733 event codes and Q.23 frequencies', () => {
    assert.equal(DTMF_DIGITS.join(''), '0123456789*#ABCD');
    assert.equal(dtmfEventCode('*'), 10);
    assert.equal(dtmfEventCode('#'), 11);
    assert.equal(dtmfEventCode('D'), 15);
    assert.equal(dtmfDigitOf(16), undefined);
    assert.deepEqual(dtmfFrequencies('1'), { row: 697, column: 1209 });
    assert.deepEqual(dtmfFrequencies('0'), { row: 941, column: 1336 });
    assert.deepEqual(dtmfFrequencies('D'), { row: 941, column: 1633 });
    assert.ok(isDtmfDigit('#') && !isDtmfDigit('E') && !isDtmfDigit('12'));
  });
});

describe('RFC 4733 sender', () => {
  it('sends a 100 ms digit as 5 packets growing by 160 plus 2 more end packets', () => {
    const dtmf = new DtmfSender({ payloadType: PT });
    dtmf.send('5', 100);
    const sent = runLeg(dtmf, 12);
    const events = sent.filter((s) => s.event);
    assert.equal(events.length, 7);
    assert.deepEqual(
      events.map((e) => [e.payload[0], e.payload[1]! >> 7, e.payload[1]! & 0x3f, (e.payload[2]! << 8) | e.payload[3]!]),
      [
        [5, 0, 10, 160],
        [5, 0, 10, 320],
        [5, 0, 10, 480],
        [5, 0, 10, 640],
        [5, 1, 10, 800],
        [5, 1, 10, 800],
        [5, 1, 10, 800],
      ],
    );
    assert.deepEqual(events.map((e) => e.marker), [true, false, false, false, false, false, false]);
    assert.equal(new Set(events.map((e) => e.timestamp)).size, 1, 'every packet carries the start timestamp');
    assert.equal(events[0]!.timestamp, sent[0]!.timestamp);
    // sequence numbers run on without gaps through the wrap, events and audio alike
    for (let i = 1; i < sent.length; i++) assert.equal(sent[i]!.seq, (sent[i - 1]!.seq + 1) & 0xffff);
    assert.equal(sent[7]!.event, false, 'audio resumes after the end packets');
    assert.equal(dtmf.busy, false, 'idle after the 60 ms trailing gap');
    const again = new DtmfSender({ payloadType: PT });
    again.send('5', 100);
    runLeg(again, 8);
    assert.equal(again.busy, true, 'still in the trailing gap');
  });

  it('leaves a gap between digits and gives each its own timestamp', () => {
    const dtmf = new DtmfSender({ payloadType: PT });
    dtmf.send('12', 60, 60);
    const sent = runLeg(dtmf, 30);
    const pattern = sent.map((s) => (s.event ? (s.marker ? 'M' : 'e') : '.')).join('');
    // 60 ms: 3 ticks of tone (the 3rd is the first end packet) + 2 more end packets, 3 ticks of gap
    assert.equal(pattern.slice(0, 16), 'Meeee...Meeee...');
    const first = sent[0]!.timestamp;
    const second = sent[8]!.timestamp;
    assert.equal((second - first) >>> 0, 8 * 160);
    assert.equal(dtmf.busy, false);
  });

  it('clamps durations, rejects non-digits, and can be cleared', () => {
    const dtmf = new DtmfSender({ payloadType: PT });
    assert.throws(() => dtmf.send('12x'), RangeError);
    assert.equal(dtmf.busy, false, 'nothing queued from a rejected string');
    dtmf.send('9', 1);
    const events = runLeg(dtmf, 10).filter((s) => s.event);
    assert.equal((events[0]!.payload[2]! << 8) | events[0]!.payload[3]!, 160, 'at least 40 ms → first packet 160');
    assert.equal((events.at(-1)!.payload[2]! << 8) | events.at(-1)!.payload[3]!, 320);
    dtmf.send('123', 1000);
    const ev = createTelephoneEventPacket();
    const clock = { timestamp: 0 };
    dtmf.step(clock, ev);
    dtmf.step(clock, ev);
    dtmf.clear();
    let count = 0;
    while (dtmf.step(clock, ev)) count++;
    assert.equal(count, 3, 'the digit in progress still ends, three times');
    assert.equal(ev.duration, 320);
    assert.equal(dtmf.busy, true, 'the trailing gap');
    dtmf.step(clock, ev);
    dtmf.step(clock, ev);
    assert.equal(dtmf.step(clock, ev), false);
    assert.equal(dtmf.busy, false);
    assert.equal(dtmf.describe(), 'telephone-event/8000(send, pt 101)');
  });
});

describe('RFC 4733 receiver', () => {
  function feed(receiver: DtmfReceiver, sent: readonly Sent[]): void {
    for (const s of sent) {
      const now = s.tick * 20 + 5;
      if (s.event) receiver.push(s.payload, s.timestamp, now);
      receiver.poll(now);
    }
  }

  it('reports each digit once, with its duration, on the end packet', () => {
    const dtmf = new DtmfSender({ payloadType: PT });
    dtmf.send('1#', 120);
    const { receiver, digits } = collect();
    feed(receiver, runLeg(dtmf, 40));
    assert.deepEqual(
      digits.map((d) => [d.digit, d.durationMs, d.source === 'rfc4733' ? d.ended : '']),
      [
        ['1', 120, 'end-packet'],
        ['#', 120, 'end-packet'],
      ],
    );
    assert.equal(receiver.stats.stale, 4, 'the redundant end packets');
  });

  it('reports a digit whose end packets were all lost on the next event, or on timeout', () => {
    const dtmf = new DtmfSender({ payloadType: PT });
    dtmf.send('47', 100);
    const sent = runLeg(dtmf, 60).filter((s) => !(s.event && (s.payload[1]! & 0x80) !== 0));
    const { receiver, digits } = collect({ endTimeoutMs: 300 });
    feed(receiver, sent);
    assert.deepEqual(
      digits.map((d) => (d.source === 'rfc4733' ? [d.digit, d.ended, d.durationMs] : [])),
      [
        ['4', 'next-event', 80],
        ['7', 'timeout', 80],
      ],
    );
  });

  it('ignores duplicates, stale packets and non-DTMF events', () => {
    const { receiver, digits } = collect();
    const p = new Uint8Array(4);
    writeTelephoneEvent(p, 0, 3, false, 10, 160);
    receiver.push(p, 1000, 0);
    receiver.push(p, 1000, 1);
    writeTelephoneEvent(p, 0, 3, true, 10, 400);
    receiver.push(p, 1000, 40);
    receiver.push(p, 1000, 41);
    receiver.push(p, 1000, 60);
    writeTelephoneEvent(p, 0, 2, false, 10, 160);
    receiver.push(p, 500, 70); // older than the event just reported
    writeTelephoneEvent(p, 0, 32, true, 10, 160); // a modem tone (RFC 4734)
    receiver.push(p, 5000, 80);
    receiver.push(p.subarray(0, 3), 6000, 90);
    receiver.poll(10_000);
    assert.deepEqual(digits.map((d) => [d.digit, d.durationMs]), [['3', 50]]);
    assert.deepEqual({ ...receiver.stats }, { packets: 8, stale: 3, ignored: 2, digits: 1 });
  });

  it('reads parsed RTP packets in place', () => {
    const { receiver, digits } = collect();
    const payload = new Uint8Array(4);
    writeTelephoneEvent(payload, 0, dtmfEventCode('A'), true, 7, 800);
    const buf = new Uint8Array(64);
    const n = serializeRtp({ marker: true, payloadType: PT, seq: 1, timestamp: 12345, ssrc: 9 }, payload, buf);
    const view = new RtpPacketView();
    assert.ok(view.parse(buf.subarray(0, n)));
    receiver.pushRtp(view, 0);
    assert.deepEqual(digits, [
      { source: 'rfc4733', digit: 'A', durationMs: 100, timestamp: 12345, volume: 7, ended: 'end-packet' },
    ]);
  });

  it('delivers every digit exactly once, in order, through loss, duplication and reordering (property)', () => {
    const digitArb = fc.constantFrom(...DTMF_DIGITS);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(digitArb, fc.integer({ min: 40, max: 300 })), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 400, maxLength: 400 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 20 }),
        (presses, rolls, lossPct, dupPct) => {
          const dtmf = new DtmfSender({ payloadType: PT });
          for (const [digit, ms] of presses) dtmf.send(digit, ms, 60);
          const sent: Sent[] = [];
          for (const s of runLeg(dtmf, 400)) sent.push(s);
          // Loss: drop packets by roll, but keep at least one packet of each event.
          const kept: Sent[] = [];
          const survivors = new Map<number, number>();
          sent.forEach((s, i) => {
            const lost = rolls[i]! < lossPct;
            if (!lost) {
              kept.push(s);
              if (s.event) survivors.set(s.timestamp, (survivors.get(s.timestamp) ?? 0) + 1);
            }
          });
          for (const s of sent) {
            if (s.event && !survivors.has(s.timestamp)) {
              kept.push(s);
              survivors.set(s.timestamp, 1);
            }
          }
          kept.sort((a, b) => a.tick - b.tick);
          // Duplication: some packets arrive twice, right after themselves.
          const withDups: Sent[] = [];
          kept.forEach((s, i) => {
            withDups.push(s);
            if (rolls[(i * 7) % rolls.length]! < dupPct) withDups.push(s);
          });
          // Reordering: shuffle within blocks of three consecutive ticks.
          const delivered = [...withDups].sort((a, b) => {
            const blockA = Math.floor(a.tick / 3);
            const blockB = Math.floor(b.tick / 3);
            if (blockA !== blockB) return blockA - blockB;
            return rolls[(a.tick * 13) % rolls.length]! - rolls[(b.tick * 13) % rolls.length]! || a.tick - b.tick;
          });
          const { receiver, digits } = collect();
          let now = 0;
          for (const s of delivered) {
            now = Math.max(now, Math.floor(s.tick / 3) * 60 + 60);
            if (s.event) receiver.push(s.payload, s.timestamp, now);
            receiver.poll(now);
          }
          receiver.poll(now + 10_000);
          assert.deepEqual(
            digits.map((d) => d.digit),
            presses.map(([d]) => d),
          );
          for (let i = 0; i < digits.length; i++) {
            const d = digits[i]!;
            if (d.source === 'rfc4733' && d.ended === 'end-packet') {
              assert.equal(d.durationMs, Math.max(40, presses[i]![1]));
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

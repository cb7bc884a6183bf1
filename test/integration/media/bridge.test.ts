/**
 * A bridge joins two legs of one worker: audio from an external RTP sender on
 * one side reaches an external receiver on the other, passed through between
 * legs of one codec and converted between PCMU and PCMA.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MediaHost } from '../../../src/media/host.js';
import { CrossWorkerBridgeError } from '../../../src/media/errors.js';
import { seededRandom } from '../../unit/media/signals.js';
import { dbRelativeTo, delay, loudFrames, nextEvent, powerAt, waitUntil } from './support.js';
import { RtpPeer } from './rtp-peer.js';

describe('media bridge', { timeout: 60_000 }, () => {
  let host: MediaHost;
  before(async () => {
    host = await MediaHost.start({ workers: 2, ports: { min: 31100, max: 31299 } });
  });
  after(async () => {
    await host.close();
  });

  it('carries audio both ways between PCMU and PCMA legs', async (t) => {
    const p1 = await RtpPeer.open(0x1111);
    const p2 = await RtpPeer.open(0x2222);
    const a = await host.createLeg({ codec: 'PCMU', remote: p1.address });
    const c = await host.createLeg({ codec: 'PCMA', remote: p2.address, colocateWith: a });
    await a.bridge(c);

    t.after(() => Promise.all([p1.close(), p2.close()]));
    await Promise.all([p1.sendTone(a.local, 1000, 1000, 0, -10), p2.sendTone(c.local, 600, 1000, 8, -12)]);
    await delay(400);

    const atP2 = loudFrames(p2.audio(8));
    assert.ok(atP2.length >= 7000, `P2 heard ${atP2.length} samples of tone`);
    assert.ok(powerAt(atP2, 1000) > 1000 * powerAt(atP2, 600), 'P2 hears 1 kHz, not its own 600 Hz');
    assert.ok(Math.abs(dbRelativeTo(powerAt(atP2, 1000), -10)) < 0.6, 'level kept through µ-law → A-law');

    const atP1 = loudFrames(p1.audio(0));
    assert.ok(atP1.length >= 7000, `P1 heard ${atP1.length} samples of tone`);
    assert.ok(powerAt(atP1, 600) > 1000 * powerAt(atP1, 1000), 'P1 hears 600 Hz');
    assert.ok(Math.abs(dbRelativeTo(powerAt(atP1, 600), -12)) < 0.6, 'level kept through A-law → µ-law');

    // Nothing but the other side's audio and silence went out.
    assert.ok(p2.received.every((p) => p.payloadType === 8 && p.ssrc !== p1.ssrc));
    const statsA = await a.stats();
    assert.equal(statsA.packetsLost, 0);
    await Promise.all([a.close(), c.close(), p1.close(), p2.close()]);
  });

  it('passes payloads through unchanged between legs of one codec', async (t) => {
    const p1 = await RtpPeer.open(0x3333);
    const p2 = await RtpPeer.open(0x4444);
    const a = await host.createLeg({ codec: 'PCMU', remote: p1.address });
    const c = await host.createLeg({ codec: 'PCMU', remote: p2.address, colocateWith: a });
    t.after(() => Promise.all([p1.close(), p2.close()]));
    await c.bridge(a);
    const random = seededRandom(7);
    const frame = new Int16Array(160);
    const sent = new Set<string>();
    const start = performance.now();
    for (let i = 0; i < 40; i++) {
      const wait = start + i * 20 - performance.now();
      if (wait > 0) await delay(wait);
      for (let k = 0; k < 160; k++) frame[k] = Math.round((random() - 0.5) * 20000);
      p1.sendFrame(a.local, frame, 0);
      sent.add(Buffer.from(p1Payload(frame)).toString('hex'));
    }
    const matches = (): number => {
      const got = new Set(p2.received.map((p) => Buffer.from(p.payload).toString('hex')));
      let n = 0;
      for (const payload of sent) if (got.has(payload)) n++;
      return n;
    };
    await waitUntil(() => matches() >= sent.size - 2, 3000, 'payloads through').catch(() => undefined);
    await delay(100);
    const matched = matches();
    // The jitter buffer may drop a frame or two to bring its delay down; all else passes unchanged.
    const stats = await a.stats();
    assert.equal(stats.framesLost + stats.framesLate, 0);
    assert.equal(matched + stats.framesDiscarded, sent.size, `${matched} passed, ${stats.framesDiscarded} discarded`);
    assert.ok(matched >= sent.size - 2);
    await Promise.all([a.close(), c.close(), p1.close(), p2.close()]);
  });

  it('relays RFC 4733 digits to the other leg and stops at unbridge', async (t) => {
    const p1 = await RtpPeer.open(0x5555);
    const p2 = await RtpPeer.open(0x6666);
    const a = await host.createLeg({ codec: 'PCMU', remote: p1.address, telephoneEventPt: 101 });
    const c = await host.createLeg({ codec: 'PCMU', remote: p2.address, telephoneEventPt: 96, colocateWith: a });
    t.after(() => Promise.all([p1.close(), p2.close()]));
    await a.bridge(c);
    const heard = nextEvent(a, 'digit');
    const sent = nextEvent(c, 'digitssent');
    await p1.sendDigit(a.local, '7', 101);
    const [digit] = await heard;
    assert.deepEqual({ digit: digit.digit, source: digit.source }, { digit: '7', source: 'rfc4733' });
    await sent;
    await waitUntil(() => p2.received.filter((p) => p.payloadType === 96 && (p.payload[1]! & 0x80) !== 0).length >= 3, 3000, 'end packets');
    const events = p2.received.filter((p) => p.payloadType === 96);
    assert.ok(events.length >= 4, `P2 got ${events.length} telephone-event packets`);
    assert.ok(events.every((p) => p.payload[0] === 7), 'event code 7');
    assert.equal(events.filter((p) => p.marker).length, 1, 'one marker, on the first packet');
    assert.ok((events.at(-1)!.payload[1]! & 0x80) !== 0, 'ends with the E bit');

    await a.unbridge();
    const before = p2.received.length;
    await p1.sendTone(a.local, 1000, 300);
    await delay(200);
    const after = p2.received.slice(before).filter((p) => p.payloadType === 0);
    assert.ok(after.length > 0 && after.every((p) => p.payload.every((b) => b === 0xff)), 'silence after unbridge');
    await Promise.all([a.close(), c.close(), p1.close(), p2.close()]);
  });

  it('refuses to bridge legs of different workers', async () => {
    // Placement goes to the least-loaded worker: a few legs land on both.
    const legs = [await host.createLeg(), await host.createLeg(), await host.createLeg()];
    const a = legs[0]!;
    const b = legs.find((l) => l.worker !== a.worker);
    assert.ok(b !== undefined, 'legs on two workers');
    await assert.rejects(a.bridge(b), CrossWorkerBridgeError);
    await Promise.all(legs.map((l) => l.close()));
  });
});

function p1Payload(frame: Int16Array): Uint8Array {
  const out = new Uint8Array(160);
  // Same encoder the peer uses.
  for (let i = 0; i < 160; i++) out[i] = ulaw(frame[i]!);
  return out;
}

import { ulawFromLinear as ulaw } from '../../../src/media/codec/g711.js';

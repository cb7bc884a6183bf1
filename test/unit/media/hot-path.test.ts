/**
 * The 20 ms path of a leg must not allocate: 1,000 legs per core means 100,000
 * packets a second, and a young-generation collection every few thousand of
 * them would show up as tick lateness. This runs one leg's per-tick work
 * (tone → RTP sender → header → µ-law → parse → receive stats → jitter buffer
 * → decode → Goertzel; telephone-event sender and receiver polled) and checks
 * that the heap does not grow and no collection runs.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeUlaw, encodeUlaw } from '../../../src/media/codec/g711.js';
import { GoertzelDetector } from '../../../src/media/dtmf/goertzel.js';
import { DtmfReceiver, DtmfSender, createTelephoneEventPacket } from '../../../src/media/dtmf/rfc4733.js';
import { JitterBuffer } from '../../../src/media/jitter/buffer.js';
import { RtpPacketView, writeRtpHeader, type RtpHeaderInit } from '../../../src/media/rtp/packet.js';
import { RtpReceiveStats, RtpSender } from '../../../src/media/rtp/sequence.js';
import { testTone } from '../../../src/media/source/tone.js';
import { measureYoungAllocation } from '../../support/young-allocation.js';

describe('media hot path', () => {
  it('allocates nothing per tick', async () => {
    const pcm = new Int16Array(160);
    const decoded = new Int16Array(160);
    const datagram = new Uint8Array(172);
    const header: RtpHeaderInit = { marker: false, payloadType: 0, seq: 0, timestamp: 0, ssrc: 0 };
    // SSRC and timestamps above 2^31 (not small integers in V8) for the whole run.
    const sender = new RtpSender({ ssrc: 0xdeadbeef, initialSeq: 65000, initialTimestamp: 0x90000000 });
    const tone = testTone(1004, -10);
    const view = new RtpPacketView();
    const stats = new RtpReceiveStats({ clockRate: 8000 });
    const jitter = new JitterBuffer();
    const detector = new GoertzelDetector({ onDigit: () => undefined });
    const dtmf = new DtmfSender({ payloadType: 101 });
    const event = createTelephoneEventPacket();
    const receiver = new DtmfReceiver({ onDigit: () => undefined });

    const tick = (i: number): void => {
      const now = 1_000_000 + i * 20;
      tone.fill(pcm);
      sender.frame(header, 0, 160, 160);
      const headerLength = writeRtpHeader(header, datagram);
      encodeUlaw(pcm, datagram, headerLength);
      if (!view.parse(datagram)) throw new Error('unparsable');
      stats.updateRtp(view, now + 3);
      jitter.pushRtp(view, now + 3);
      const out = jitter.pop(now + 10);
      if (out.kind === 'frame') decodeUlaw(out.payload, decoded);
      detector.process(decoded);
      dtmf.step(sender, event);
      receiver.poll(now);
    };

    let i = 0;
    for (; i < 60_000; i++) tick(i); // let the JIT settle
    const ticks = 50_000;
    // Three windows: a function deoptimized and re-optimized in one of them
    // runs in the interpreter for a while, which boxes numbers; an allocation
    // on every tick shows up in all three.
    const results = await measureYoungAllocation(() => tick(i++), ticks);
    assert.ok(jitter.stats.played > 3 * ticks, 'the pipeline ran');
    // One boxed number per tick would be 16 bytes a tick: 800 kB per window.
    assert.ok(
      results.some((r) => r.collections === 0 && r.youngBytes < ticks),
      `young-generation growth and collections per window of ${ticks} ticks: ${JSON.stringify(results)}`,
    );
  });
});

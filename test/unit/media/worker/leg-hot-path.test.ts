/**
 * A leg's 20 ms path must not allocate (see test/unit/media/hot-path.test.ts
 * for why). This drives two bridged legs through the whole per-packet and
 * per-tick path — RTP in (parse, receive stats, symmetric-RTP check, jitter
 * buffer), decode, Goertzel, capture, bridge with µ-law → A-law conversion,
 * tone playback, encode, RTP header, send, RTCP reports — on sockets that only count what
 * they are given, and on a clock in whole milliseconds, so that what is
 * measured is the leg and not Node's dgram or the clock read (see LegContext.clock).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RemoteInfo } from 'node:dgram';
import { encodeAlaw, encodeUlaw } from '../../../../src/media/codec/g711.js';
import { writeRtpHeader, type RtpHeaderInit } from '../../../../src/media/rtp/packet.js';
import { testTone } from '../../../../src/media/source/tone.js';
import { Bridge } from '../../../../src/media/worker/bridge.js';
import { Leg, type LegContext, type LegSocket } from '../../../../src/media/worker/leg.js';
import { PortPool } from '../../../../src/media/worker/ports.js';
import type { TickTimers } from '../../../../src/media/worker/scheduler.js';
import { createSource } from '../../../../src/media/worker/sources.js';
import type { MediaEvent } from '../../../../src/media/protocol.js';
import { measureYoungAllocation } from '../../../support/young-allocation.js';

/** Counts sends; hands received datagrams to the leg's listener. Allocates nothing per call. */
class CountingSocket implements LegSocket {
  sent = 0;
  onMessage: (msg: Buffer, rinfo: RemoteInfo) => void = () => undefined;
  send(): void {
    this.sent++;
  }
  on(event: 'message' | 'error', listener: ((msg: Buffer, rinfo: RemoteInfo) => void) | ((error: Error) => void)): this {
    if (event === 'message') this.onMessage = listener as (msg: Buffer, rinfo: RemoteInfo) => void;
    return this;
  }
  close(): void {}
}

describe('media leg hot path', () => {
  it('allocates nothing per packet or tick', async () => {
    const sockets = [new CountingSocket(), new CountingSocket()];
    const events: MediaEvent[] = [];
    let next = 0;
    // Time in whole milliseconds, advanced by the test: small integers are not
    // heap objects. (A real clock read is one heap number per packet: see LegContext.clock.)
    const clock = new (class implements Pick<TickTimers, 'now'> {
      t = 1000;
      now(): number {
        return this.t;
      }
    })();
    const ctx: LegContext = {
      emit: (event) => events.push(event),
      clock,
      ports: new PortPool(),
      counters: new Float64Array(2),
      bind: async () => ({ rtp: sockets[next++]!, rtcp: null, port: 40000 + 2 * next }),
    };
    const common = { bindAddress: '127.0.0.1', ports: { min: 40000, max: 40100 }, symmetricRtp: true, rtcpMux: true } as const;
    const a = await Leg.open({ ...common, type: 'createLeg', legId: 'a', codec: 'PCMU', remote: { address: '127.0.0.1', port: 5000 } }, ctx);
    const c = await Leg.open(
      { ...common, type: 'createLeg', legId: 'c', codec: 'PCMA', telephoneEventPt: 101, remote: { address: '127.0.0.1', port: 6000 } },
      ctx,
    );
    new Bridge(a, c);
    a.startCapture(1000); // fills during the warm-up, then is stopped
    c.play('tone', createSource({ kind: 'tone', frequencies: [1004] }, 1), false);

    // The far ends: one packet per leg per tick, SSRC and timestamps above 2^31.
    const toneA = testTone(1004);
    const toneC = testTone(697);
    const pcm = new Int16Array(160);
    const packetA = Buffer.alloc(172);
    const packetC = Buffer.alloc(172);
    const headerA: RtpHeaderInit = { marker: false, payloadType: 0, seq: 65000, timestamp: 0x90000000, ssrc: 0xdeadbeef };
    const headerC: RtpHeaderInit = { marker: false, payloadType: 8, seq: 100, timestamp: 0xf0000000, ssrc: 0xcafef00d };
    const fromA: RemoteInfo = { address: '127.0.0.1', family: 'IPv4', port: 5000, size: 172 };
    const fromC: RemoteInfo = { address: '127.0.0.1', family: 'IPv4', port: 6000, size: 172 };

    const tick = (): void => {
      toneA.fill(pcm);
      writeRtpHeader(headerA, packetA);
      encodeUlaw(pcm, packetA, 12);
      headerA.seq = (headerA.seq + 1) & 0xffff;
      headerA.timestamp = (headerA.timestamp + 160) >>> 0;
      sockets[0]!.onMessage(packetA, fromA);
      toneC.fill(pcm);
      writeRtpHeader(headerC, packetC);
      encodeAlaw(pcm, packetC, 12);
      headerC.seq = (headerC.seq + 1) & 0xffff;
      headerC.timestamp = (headerC.timestamp + 160) >>> 0;
      sockets[1]!.onMessage(packetC, fromC);
      clock.t += 20;
      const now = clock.now();
      a.receiveTick(now);
      c.receiveTick(now);
      a.sendTick();
      c.sendTick();
    };

    for (let i = 0; i < 60_000; i++) tick();
    a.stopCapture();
    const ticks = 100_000;
    const results = await measureYoungAllocation(tick, ticks);

    const statsA = a.stats();
    assert.ok(statsA.framesPlayed > 3 * ticks, `A played ${statsA.framesPlayed} frames`);
    assert.equal(statsA.packetsLost, 0);
    assert.ok(statsA.rtcpSent > 100, `RTCP reports were part of it (${statsA.rtcpSent})`);
    assert.ok(sockets[1]!.sent > 3 * ticks && sockets[0]!.sent > 3 * ticks);
    assert.ok(events.some((e) => e.type === 'rtpStarted'));
    // One boxed number per leg and tick would be 32 bytes a tick (3.2 MB per
    // window). What is allowed is an RTCP report per leg every ~5 s of the
    // clock (250 ticks; a report boxes a few 32-bit values, ~100 bytes) and
    // the compiler's own odds and ends: under 2 bytes a tick.
    assert.ok(
      results.some((r) => r.collections === 0 && r.youngBytes < 2 * ticks),
      `young-generation growth and collections per window of ${ticks} ticks: ${JSON.stringify(results)}`,
    );
    a.destroy();
    c.destroy();
  });
});

/**
 * Where a leg sends and when it notices the remote has gone: symmetric RTP
 * latching, its absence, RTP timeout and hold.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MediaHost } from '../../../src/media/host.js';
import { delay, nextEvent, waitUntil } from './support.js';
import { RtpPeer } from './rtp-peer.js';

describe('media RTP flow', { timeout: 60_000 }, () => {
  let host: MediaHost;
  before(async () => {
    host = await MediaHost.start({ workers: 1, ports: { min: 31400, max: 31499 } });
  });
  after(async () => {
    await host.close();
  });

  it('symmetric RTP latches to where packets come from, then ignores other sources', async () => {
    const peer = await RtpPeer.open(0xa1);
    const intruder = await RtpPeer.open(0xb2);
    // The SDP names a port nobody listens on (the peer is behind NAT).
    const leg = await host.createLeg({ remote: { address: '127.0.0.1', port: 9 }, symmetricRtp: true });
    const started = nextEvent(leg, 'rtpstarted');
    await peer.sendTone(leg.local, 1000, 200);
    const [remote, latched] = await started;
    assert.deepEqual(remote, peer.address);
    assert.equal(latched, true);
    await waitUntil(() => peer.received.length >= 3, 3000, 'the peer receives');
    assert.ok(peer.received.every((p) => p.payloadType === 0));

    await Promise.all([intruder.sendTone(leg.local, 500, 200), peer.sendTone(leg.local, 1000, 200)]);
    await delay(100);
    const stats = await leg.stats();
    assert.equal(stats.latched, true);
    assert.deepEqual(stats.remote, peer.address);
    assert.ok(stats.foreignPackets >= 9, `dropped ${stats.foreignPackets} intruder packets`);
    assert.equal(intruder.received.length, 0);
    await Promise.all([leg.close(), peer.close(), intruder.close()]);
  });

  it('without symmetric RTP the leg keeps sending to the SDP address', async () => {
    const peer = await RtpPeer.open(0xc3);
    const sdpTarget = await RtpPeer.open(0xd4);
    const leg = await host.createLeg({ remote: sdpTarget.address, symmetricRtp: false });
    const started = nextEvent(leg, 'rtpstarted');
    await peer.sendTone(leg.local, 1000, 200);
    const [remote, latched] = await started;
    assert.deepEqual(remote, peer.address);
    assert.equal(latched, false);
    await delay(60);
    assert.equal(peer.received.length, 0);
    assert.ok(sdpTarget.received.length >= 8);
    await Promise.all([leg.close(), peer.close(), sdpTarget.close()]);
  });

  it('reports rtpTimeout when RTP stops, and rtpStarted when it resumes', async () => {
    const peer = await RtpPeer.open(0xe5);
    const leg = await host.createLeg({ remote: peer.address, rtpTimeoutMs: 300 });
    const timedOut = nextEvent(leg, 'rtptimeout', 3000);
    await peer.sendTone(leg.local, 1000, 200);
    const stoppedAt = performance.now();
    const [silentMs] = await timedOut;
    assert.ok(silentMs >= 300 && silentMs < 2000, `silent ${silentMs} ms`);
    assert.ok(performance.now() - stoppedAt >= 250);
    const resumed = nextEvent(leg, 'rtpstarted');
    await peer.sendTone(leg.local, 1000, 100);
    await resumed;
    await Promise.all([leg.close(), peer.close()]);
  });

  it('on hold a leg sends nothing and does not time out; after it, the marker bit restarts the stream', async () => {
    const peer = await RtpPeer.open(0xf6);
    const leg = await host.createLeg({ remote: peer.address, rtpTimeoutMs: 200 });
    let timeouts = 0;
    leg.on('rtptimeout', () => timeouts++);
    await peer.sendTone(leg.local, 1000, 100);
    await leg.setHold(true);
    await delay(40);
    const during = peer.received.length;
    await delay(400);
    assert.equal(peer.received.length, during, 'nothing sent on hold');
    assert.equal(timeouts, 0);
    await leg.setHold(false);
    await waitUntil(() => peer.received.length >= during + 3, 3000, 'packets after hold');
    const resumed = peer.received.slice(during);
    assert.equal(resumed[0]!.marker, true);
    const last = peer.received[during - 1]!;
    // The clock kept running through the hold (≥ 440 ms): the timestamp jumped with it.
    const jump = (resumed[0]!.timestamp - last.timestamp) >>> 0;
    assert.ok(jump >= 8 * 400 && jump <= 8 * 5000, `timestamp advanced ${jump}`);
    assert.equal((resumed[0]!.seq - last.seq) & 0xffff, 1, 'sequence numbers continue');
    await Promise.all([leg.close(), peer.close()]);
  });

  it('sends RTCP reports and a BYE on close', async () => {
    const peer = await RtpPeer.open(0x17);
    const leg = await host.createLeg({ remote: peer.address, rtcpMux: true });
    await peer.sendTone(leg.local, 1000, 100);
    const stats = await leg.close();
    assert.ok(stats !== null && stats.rtcpSent >= 1);
    await waitUntil(() => peer.rtcpReceived >= 1, 3000, 'the BYE compound');
    await peer.close();
  });
});

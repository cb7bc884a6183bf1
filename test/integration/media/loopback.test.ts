/**
 * Two legs of one media host exchange RTP over loopback: what one plays, the
 * other receives, decodes and captures.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MediaHost, type MediaLeg } from '../../../src/media/host.js';
import { dbRelativeTo, delay, loudFrames, nextEvent, powerAt } from './support.js';

describe('media host: two legs on loopback', { timeout: 60_000 }, () => {
  let host: MediaHost;
  before(async () => {
    host = await MediaHost.start({ workers: 1, ports: { min: 31000, max: 31099 } });
  });
  after(async () => {
    await host.close();
  });

  async function pair(codecA: 'PCMU' | 'PCMA', codecB: 'PCMU' | 'PCMA'): Promise<[MediaLeg, MediaLeg]> {
    const a = await host.createLeg({ codec: codecA });
    const b = await host.createLeg({ codec: codecB, remote: a.local });
    await a.setRemote(b.local);
    return [a, b];
  }

  it('a 1 kHz tone played on A arrives decoded on B at 1 kHz and at its level', async () => {
    const [a, b] = await pair('PCMU', 'PCMU');
    const started = nextEvent(b, 'rtpstarted');
    const digits: string[] = [];
    b.on('digit', (d) => digits.push(d.digit));
    await b.captureStart(3000);
    const reason = await a.playAndWait({ kind: 'tone', frequencies: [1000], levelDbm0: -10, durationMs: 1000 });
    assert.equal(reason, 'finished');
    const [remote, latched] = await started;
    assert.deepEqual(remote, a.local);
    assert.equal(latched, true);
    // The jitter buffer holds at most 200 ms.
    await delay(400);
    const pcm = loudFrames(await b.captureStop());
    // 1 s of tone is 50 frames; a starved machine may conceal one or two.
    assert.ok(pcm.length >= 48 * 160 && pcm.length <= 51 * 160, `tone frames ${pcm.length / 160}`);
    const at1k = powerAt(pcm, 1000);
    for (const other of [697, 800, 1209, 1300, 2000]) {
      assert.ok(at1k > 1000 * powerAt(pcm, other), `1 kHz beats ${other} Hz by 30 dB`);
    }
    const level = dbRelativeTo(at1k, -10);
    assert.ok(Math.abs(level) < 0.5, `received level ${level.toFixed(2)} dB from -10 dBm0`);
    const stats = await b.stats();
    assert.equal(stats.packetsLost, 0);
    assert.ok(stats.packetsReceived >= 50, `received ${stats.packetsReceived}`);
    assert.equal(stats.latched, true);
    assert.deepEqual(digits, [], 'a 1 kHz tone is not a digit (in-band detection runs on B)');
    await a.close();
    await b.close();
  });

  it('works with A-law on both legs', async () => {
    const [a, b] = await pair('PCMA', 'PCMA');
    await b.captureStart(2000);
    await a.playAndWait({ kind: 'tone', frequencies: [440], levelDbm0: -6, durationMs: 500 });
    await delay(400);
    const pcm = loudFrames(await b.captureStop());
    assert.ok(Math.abs(dbRelativeTo(powerAt(pcm, 440), -6)) < 0.5);
    const statsA = await a.close();
    assert.ok(statsA !== null && statsA.packetsSent >= 25);
    await b.close();
  });
});

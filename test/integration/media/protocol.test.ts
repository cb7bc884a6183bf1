/**
 * The command/event contract as a MediaLeg user sees it: ordering of replies
 * and events, playback queueing, errors with stable codes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MediaHost, type MediaLeg } from '../../../src/media/host.js';
import {
  InvalidMediaCommandError,
  LegClosedError,
  PortsExhaustedError,
} from '../../../src/media/errors.js';
import { delay, nextEvent } from './support.js';

describe('media protocol', { timeout: 60_000 }, () => {
  let host: MediaHost;
  before(async () => {
    host = await MediaHost.start({ workers: 1, ports: { min: 31600, max: 31679 } });
  });
  after(async () => {
    await host.close();
  });

  async function leg(): Promise<MediaLeg> {
    return host.createLeg({ remote: { address: '127.0.0.1', port: 9 }, symmetricRtp: false });
  }

  it('delivers the events a command causes after its reply', async () => {
    const l = await leg();
    const order: string[] = [];
    l.on('playstarted', () => order.push('playstarted'));
    l.on('playended', (_id, reason) => order.push(`playended:${reason}`));
    await l.play({ kind: 'tone', frequencies: [440] }, { playId: 'p1' }).then(() => order.push('reply:p1'));
    const second = nextEvent(l, 'playstarted', 3000, (id) => id === 'p2');
    await l.play({ kind: 'tone', frequencies: [440] }, { playId: 'p2' }).then(() => order.push('reply:p2'));
    await second;
    assert.deepEqual(order, ['reply:p1', 'playstarted', 'reply:p2', 'playended:replaced', 'playstarted']);
    await l.close();
  });

  it('queues playbacks with enqueue and ends them as finished, stopped or closed', async () => {
    const l = await leg();
    const log: string[] = [];
    l.on('playstarted', (id) => log.push(`start ${id}`));
    l.on('playended', (id, reason) => log.push(`end ${id} ${reason}`));
    await l.play({ kind: 'silence', durationMs: 60 }, { playId: 'a' });
    await l.play({ kind: 'tone', frequencies: [350, 440], durationMs: 40 }, { playId: 'b', enqueue: true, loop: 2 });
    await l.play({ kind: 'tone', frequencies: [480] }, { playId: 'c', enqueue: true });
    await l.play({ kind: 'tone', frequencies: [620] }, { playId: 'd', enqueue: true });
    await nextEvent(l, 'playstarted', 2000, (id) => id === 'c');
    assert.equal(await l.stopPlay('d'), 1);
    assert.equal(await l.stopPlay('c'), 1);
    await l.play({ kind: 'tone', frequencies: [700] }, { playId: 'e' });
    const closed = nextEvent(l, 'close');
    const stats = await l.close();
    await closed;
    assert.ok(stats !== null && stats.packetsSent > 5);
    assert.deepEqual(log, [
      'start a',
      'end a finished',
      'start b',
      'end b finished',
      'start c',
      'end d stopped',
      'end c stopped',
      'start e',
      'end e closed',
    ]);
  });

  it('plays PCM, copied by default and moved with transfer', async () => {
    const l = await leg();
    const pcm = new Int16Array(800).fill(1000);
    assert.equal(await l.playAndWait({ kind: 'pcm', pcm }, { loop: 2 }), 'finished');
    assert.equal(pcm.length, 800, 'still ours');
    const moved = new Int16Array(400);
    await l.play({ kind: 'pcm', pcm: moved, transfer: true });
    assert.equal(moved.length, 0, 'detached');
    const shared = new Int16Array(new SharedArrayBuffer(800));
    assert.equal(await l.playAndWait({ kind: 'pcm', pcm: shared }), 'finished');
    await l.close();
  });

  it('rejects bad commands with stable codes and leaves the leg working', async () => {
    const l = await leg();
    await assert.rejects(l.sendDigits('12x'), (e: unknown) => e instanceof InvalidMediaCommandError && e.code === 'invalid-command');
    await assert.rejects(l.play({ kind: 'tone', frequencies: [5000] }), InvalidMediaCommandError);
    await assert.rejects(l.setRemote({ address: 'localhost', port: 4000 }), InvalidMediaCommandError);
    await assert.rejects(l.captureStop(), (e: unknown) => (e as { code?: string }).code === 'not-capturing');
    await assert.rejects(l.startRecord('r1', '/nonexistent-dir/x.wav'), (e: unknown) => (e as { code?: string }).code === 'record-failed');
    await assert.rejects(l.stopRecord('r1'), (e: unknown) => (e as { code?: string }).code === 'record-not-found');
    await assert.rejects(host.createLeg({ legId: 'dup', remote: { address: '::1', port: 5000 } }), InvalidMediaCommandError);
    const stats = await l.stats();
    assert.equal(stats.legId, l.id);
    await l.close();
    await assert.rejects(l.play({ kind: 'tone', frequencies: [440] }), LegClosedError);
  });

  it('reports the worker figures', async () => {
    const l = await leg();
    await delay(100);
    const [stats] = await host.workerStats(true);
    assert.ok(stats !== undefined && stats.legs >= 1 && stats.ticks >= 3);
    assert.ok(stats.tickLateness.count >= 3 && stats.tickLateness.p99 >= stats.tickLateness.p50);
    assert.ok(stats.packetsOut >= 3);
    await l.close();
  });

  it('runs out of ports with PortsExhaustedError', async () => {
    const small = await MediaHost.start({ workers: 1, ports: { min: 31690, max: 31693 } });
    try {
      const a = await small.createLeg();
      const b = await small.createLeg();
      assert.deepEqual([a.localPort % 2, a.rtcpPort - a.localPort], [0, 1]);
      await assert.rejects(small.createLeg(), (e: unknown) => e instanceof PortsExhaustedError && e.code === 'ports-exhausted');
      await b.close();
      const c = await small.createLeg();
      assert.equal(c.localPort, b.localPort);
    } finally {
      await small.close();
    }
  });
});

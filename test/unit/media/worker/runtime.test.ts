/**
 * The worker runtime on the main thread, with sockets that record what they
 * are given and a hand-moved tick clock: what it posts, in which order, and
 * what happens to a leg that fails.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MediaCommand } from '../../../../src/media/protocol.js';
import { startWorkerRuntime } from '../../../support/worker-runtime.js';

const leg = (legId: string): MediaCommand => ({
  type: 'createLeg',
  legId,
  bindAddress: '127.0.0.1',
  ports: { min: 40000, max: 40100 },
  codec: 'PCMU',
  symmetricRtp: true,
  rtcpMux: true,
  remote: { address: '127.0.0.1', port: 9000 },
});

describe('MediaWorkerRuntime', () => {
  it('posts the events a command causes after its reply', async () => {
    const { send, kinds } = startWorkerRuntime(3);
    await send(leg('a'));
    assert.deepEqual(kinds(), ['reply:ok', 'legCreated']);
    await send({ type: 'play', legId: 'a', playId: 'p', source: { kind: 'tone', frequencies: [440] } });
    assert.deepEqual(kinds(), ['reply:ok', 'playStarted']);
    await send({ type: 'play', legId: 'a', playId: 'q', source: { kind: 'tone', frequencies: [440] } });
    assert.deepEqual(kinds(), ['reply:ok', 'playEnded', 'playStarted']);
    await send({ type: 'injectDigit', legId: 'a', digit: '#' });
    assert.deepEqual(kinds(), ['reply:ok', 'digit']);
    await send({ type: 'closeLeg', legId: 'a' });
    assert.deepEqual(kinds(), ['reply:ok', 'playEnded', 'legClosed']);
  });

  it('answers bad requests with stable codes', async () => {
    const { outcome } = startWorkerRuntime(3);
    assert.equal(await outcome({ type: 'stats', legId: 'nope' }), 'leg-not-found');
    assert.equal(await outcome({ type: 'frobnicate' } as unknown as MediaCommand), 'invalid-command');
    assert.equal(await outcome(leg('a')), 'ok');
    assert.equal(await outcome(leg('a')), 'leg-exists');
    assert.equal(await outcome({ type: 'startRecord', legId: 'a', recordId: 'r', path: '/nonexistent-dir/r.wav' }), 'record-failed');
    assert.equal(await outcome({ type: 'stopRecord', legId: 'a', recordId: 'r' }), 'record-not-found');
    assert.equal(await outcome({ type: 'injectDigit', legId: 'a', digit: 'x' as '1' }), 'invalid-command');
    assert.equal(await outcome({ type: 'bridge', legA: 'a', legB: 'a' }), 'invalid-command');
    assert.equal(await outcome({ ...leg('b'), codec: 'G729' } as unknown as MediaCommand), 'invalid-command');
    assert.equal(await outcome({ ...leg('c'), telephoneEventPt: 13 } as MediaCommand), 'invalid-command');
  });

  it('ticks every leg: one RTP packet each per 20 ms, with consecutive sequence numbers', async () => {
    const { send, sockets, timers, runtime } = startWorkerRuntime(3);
    await send(leg('a'));
    await send(leg('b'));
    timers.tick(10);
    assert.equal(runtime.legCount, 2);
    for (const socket of sockets) {
      const rtp = socket.sent.filter((p) => p.length === 172);
      assert.equal(rtp.length, 10);
      const seqs = rtp.map((p) => (p[2]! << 8) | p[3]!);
      seqs.forEach((s, i) => assert.equal(s, (seqs[0]! + i) & 0xffff));
      const timestamps = rtp.map((p) => ((p[4]! << 24) | (p[5]! << 16) | (p[6]! << 8) | p[7]!) >>> 0);
      timestamps.forEach((t, i) => assert.equal(t, (timestamps[0]! + 160 * i) >>> 0));
      assert.equal(rtp[0]![1]! & 0x80, 0x80, 'marker on the first packet');
      assert.equal(rtp[1]![1]! & 0x80, 0);
    }
  });

  it('closes a leg whose tick throws and keeps the others going', async () => {
    const { send, sockets, timers, runtime, kinds } = startWorkerRuntime(3);
    await send(leg('a'));
    await send(leg('b'));
    kinds();
    sockets[0]!.failing = true;
    timers.tick(3);
    const events = kinds();
    assert.deepEqual(events.slice(0, 2), ['error', 'legClosed']);
    assert.equal(runtime.legCount, 1);
    assert.equal(sockets[1]!.sent.filter((p) => p.length === 172).length, 3);
    const stats = await send({ type: 'workerStats', reset: true });
    assert.ok(stats.kind === 'reply' && stats.ok);
    const result = stats.result as { legs: number; ticks: number; workerIndex: number };
    assert.deepEqual([result.legs, result.ticks, result.workerIndex], [1, 3, 3]);
  });
});

/**
 * The worker runtime on the main thread, with sockets that record what they
 * are given and a hand-moved tick clock: what it posts, in which order, and
 * what happens to a leg that fails.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RemoteInfo } from 'node:dgram';
import type { MediaCommand, WorkerOutbound } from '../../../../src/media/protocol.js';
import type { LegSocket } from '../../../../src/media/worker/leg.js';
import { MediaWorkerRuntime } from '../../../../src/media/worker/runtime.js';
import type { TickTimers } from '../../../../src/media/worker/scheduler.js';

class RecordingSocket implements LegSocket {
  sent: Uint8Array[] = [];
  failing = false;
  send(msg: Uint8Array, ...rest: unknown[]): void {
    if (this.failing) throw new Error('send failed');
    const length = typeof rest[1] === 'number' && typeof rest[2] === 'number' ? (rest[1] as number) : msg.length;
    const offset = typeof rest[1] === 'number' && typeof rest[2] === 'number' ? (rest[0] as number) : 0;
    this.sent.push(Uint8Array.from(msg.subarray(offset, offset + length))); // a copy (Buffer#slice is a view)
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
  }
  on(_event: 'message' | 'error', _listener: ((msg: Buffer, rinfo: RemoteInfo) => void) | ((error: Error) => void)): this {
    return this;
  }
  close(): void {}
}

class ManualTimers implements TickTimers {
  time = 0;
  #pending: { at: number; fn: () => void } | null = null;
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    this.#pending = { at: this.time + ms, fn };
    return 1;
  }
  clearTimeout(): void {
    this.#pending = null;
  }
  /** Runs `n` ticks, 20 ms apart. */
  tick(n: number): void {
    for (let i = 0; i < n; i++) {
      const p = this.#pending;
      if (p === null) return;
      this.time = p.at;
      this.#pending = null;
      p.fn();
    }
  }
}

function setup() {
  const posted: WorkerOutbound[] = [];
  const sockets: RecordingSocket[] = [];
  const timers = new ManualTimers();
  let port = 40000;
  const runtime = new MediaWorkerRuntime({
    workerIndex: 3,
    post: (message) => posted.push(message),
    timers,
    bind: async () => {
      const rtp = new RecordingSocket();
      sockets.push(rtp);
      port += 2;
      return { rtp, rtcp: null, port };
    },
  });
  let id = 0;
  const send = async (command: MediaCommand): Promise<WorkerOutbound> => {
    const requestId = ++id;
    runtime.handle({ kind: 'request', id: requestId, command });
    const answered = (): WorkerOutbound | undefined => posted.find((m) => m.kind === 'reply' && m.id === requestId);
    // Most replies come within a few microtasks; a file open takes real I/O.
    for (let i = 0; i < 500 && answered() === undefined; i++) await new Promise((resolve) => setImmediate(resolve));
    const reply = answered();
    assert.ok(reply, `a reply to ${command.type}`);
    return reply;
  };
  const kinds = (): string[] =>
    posted.splice(0).map((m) => (m.kind === 'reply' ? `reply:${m.ok ? 'ok' : m.error.code}` : m.kind === 'event' ? m.event.type : m.kind));
  return { runtime, posted, sockets, timers, send, kinds };
}

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
    const { send, kinds } = setup();
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
    const { send } = setup();
    const code = async (command: MediaCommand): Promise<string> => {
      const reply = await send(command);
      return reply.kind === 'reply' && !reply.ok ? reply.error.code : 'ok';
    };
    assert.equal(await code({ type: 'stats', legId: 'nope' }), 'leg-not-found');
    assert.equal(await code({ type: 'frobnicate' } as unknown as MediaCommand), 'invalid-command');
    assert.equal(await code(leg('a')), 'ok');
    assert.equal(await code(leg('a')), 'leg-exists');
    assert.equal(await code({ type: 'startRecord', legId: 'a', recordId: 'r', path: '/nonexistent-dir/r.wav' }), 'record-failed');
    assert.equal(await code({ type: 'stopRecord', legId: 'a', recordId: 'r' }), 'record-not-found');
    assert.equal(await code({ type: 'injectDigit', legId: 'a', digit: 'x' as '1' }), 'invalid-command');
    assert.equal(await code({ type: 'bridge', legA: 'a', legB: 'a' }), 'invalid-command');
    assert.equal(await code({ ...leg('b'), codec: 'G729' } as unknown as MediaCommand), 'invalid-command');
    assert.equal(await code({ ...leg('c'), telephoneEventPt: 13 } as MediaCommand), 'invalid-command');
  });

  it('ticks every leg: one RTP packet each per 20 ms, with consecutive sequence numbers', async () => {
    const { send, sockets, timers, runtime } = setup();
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
    const { send, sockets, timers, runtime, kinds } = setup();
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

/**
 * A prompt's first frame in the worker runtime, with a hand-moved tick clock: a play that
 * starts on a leg with somewhere to send goes out at once, marked as a new talkspurt,
 * and the rest of the prompt follows on the ticks with no frame lost, doubled or out of
 * step; with a recording running, the first frame waits for the tick, which records it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MediaCommand } from '../../../../src/media/protocol.js';
import { createLegCommand, startWorkerRuntime } from '../../../support/worker-runtime.js';

const createLeg = createLegCommand('a', 9000);

/** 200 ms of 1 kHz: ten frames. */
const prompt: MediaCommand = { type: 'play', legId: 'a', playId: 'p', source: { kind: 'tone', frequencies: [1000], durationMs: 200 } };

interface Sent {
  readonly marker: boolean;
  readonly seq: number;
  readonly timestamp: number;
  readonly sound: boolean;
}

function read(packet: Uint8Array): Sent {
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const payload = packet.subarray(12);
  return {
    marker: (packet[1]! & 0x80) !== 0,
    seq: view.getUint16(2),
    timestamp: view.getUint32(4),
    sound: payload.some((b) => (~b & 0x7f) > 8),
  };
}

describe('media worker: the first frame of a prompt', () => {
  it('goes out when the play starts, not at the next tick, and the prompt follows whole and in step', async () => {
    const { outcome, sockets, timers } = startWorkerRuntime(0);
    assert.equal(await outcome(createLeg), 'ok');
    const socket = sockets[0]!;
    timers.tick(3);
    const silenceSent = socket.audio().length;
    assert.ok(silenceSent >= 3, 'silence on every tick before the prompt');

    assert.equal(await outcome(prompt), 'ok');
    const atStart = socket.audio(silenceSent).map((_, i) => read(socket.sent.filter((p) => p.length === 172)[silenceSent + i]!));
    assert.equal(atStart.length, 1, 'one frame sent as the play started, before any tick');
    assert.ok(atStart[0]!.sound && atStart[0]!.marker, 'it is the prompt, marked as a new talkspurt');

    timers.tick(15);
    const audio = socket.sent.filter((p) => p.length === 172 && (p[1]! & 0x7f) === 0).map(read);
    const fromPrompt = audio.slice(silenceSent);
    const promptFrames = fromPrompt.filter((p) => p.sound);
    assert.equal(promptFrames.length, 10, 'each of the ten frames once');
    assert.deepEqual(
      fromPrompt.slice(0, 10).map((p) => p.sound),
      Array(10).fill(true),
      'the ten frames back to back, then silence',
    );
    for (let i = 1; i < audio.length; i++) {
      assert.equal(audio[i]!.seq, (audio[i - 1]!.seq + 1) & 0xffff, `sequence numbers run on at packet ${i}`);
      assert.equal(audio[i]!.timestamp, (audio[i - 1]!.timestamp + 160) >>> 0, `timestamps run on at packet ${i}`);
    }
    assert.equal(fromPrompt.filter((p) => p.marker).length, 1, 'one marker: the start of the prompt');
  });

  it('waits for the tick while a recording runs, so the recording holds every frame sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dialtone-play-start-'));
    try {
      const { outcome, sockets, timers } = startWorkerRuntime(0);
      assert.equal(await outcome(createLeg), 'ok');
      const socket = sockets[0]!;
      assert.equal(await outcome({ type: 'startRecord', legId: 'a', recordId: 'r', path: join(dir, 'r.wav'), mode: 'mixed' }), 'ok');
      timers.tick(2);
      const before = socket.audio().length;
      assert.equal(await outcome(prompt), 'ok');
      assert.equal(socket.audio(before).length, 0, 'nothing sent before the tick');
      timers.tick();
      assert.equal(socket.audio(before).filter((p) => p.some((b) => (~b & 0x7f) > 8)).length, 1, 'the first frame, at the tick');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Noise suppression of a leg's received audio (`setDenoise`, RNNoise): a 440 Hz tone
 * in white noise comes out with the noise ≥ 10 dB down and the tone within ±3 dB, in
 * the capture and in what the bridged leg sends; turned off, the audio passes
 * unchanged again. The denoiser's 20 ms step allocates next to nothing, and its CPU cost is
 * printed as a diagnostic (not asserted).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDenoiser } from '../../../../src/media/audio/denoise.js';
import { decodeUlaw, encodeUlaw } from '../../../../src/media/codec/g711.js';
import type { MediaCommand } from '../../../../src/media/protocol.js';
import { writeRtpHeader, type RtpHeaderInit } from '../../../../src/media/rtp/packet.js';
import { sine, throughUlaw } from '../../../support/audio.js';
import { noiseDb, toneDb } from '../../../support/noise.js';
import { measureYoungAllocation } from '../../../support/young-allocation.js';
import { createLegCommand, LoopSocket, ManualTimers, startWorkerRuntime } from '../../../support/worker-runtime.js';
import { mixInto, whiteNoise } from '../signals.js';

const RATE = 8000;
const SECONDS = 4;
/** The first second is left out of every measure: the denoiser adapts to the noise. */
const SETTLE = RATE;

/**
 * A 440 Hz tone (0.1 of full scale) in white noise at -30 dBm0. The tone beeps, 300 ms on
 * and 200 ms off: RNNoise takes a tone that never stops for noise (a steady one is gone,
 * -40 dB, within two seconds), and a beep for a voice.
 */
function toneInNoise(seconds: number, seed: number): Int16Array {
  const tone = sine(440, seconds, 0.1);
  for (let i = 0; i < tone.length; i++) if (i % 4000 >= 2400) tone[i] = 0;
  return mixInto(tone, whiteNoise(seconds * RATE, -30, seed));
}

/** Noise drop and tone change from `input` to `output`, dB, over [from, to). */
function compare(input: Int16Array, output: Int16Array, from: number, to: number): { noiseDrop: number; toneChange: number } {
  return {
    noiseDrop: noiseDb(input, from, to) - noiseDb(output, from, to),
    toneChange: toneDb(output, 440, from, to) - toneDb(input, 440, from, to),
  };
}

describe('denoiser (RNNoise at 48 kHz between two ×6 resamplers)', () => {
  it('takes the noise down by ≥ 10 dB and keeps a tone within ±3 dB', async () => {
    const denoiser = await createDenoiser();
    const input = toneInNoise(SECONDS, 7);
    const output = new Int16Array(input.length);
    const frame = new Int16Array(160);
    for (let at = 0; at < input.length; at += 160) {
      frame.set(input.subarray(at, at + 160));
      denoiser.process(frame);
      output.set(frame, at);
    }
    const { noiseDrop, toneChange } = compare(input, output, SETTLE, input.length);
    assert.ok(noiseDrop >= 10, `noise down only ${noiseDrop.toFixed(1)} dB`);
    assert.ok(Math.abs(toneChange) <= 3, `tone changed by ${toneChange.toFixed(1)} dB`);
    console.log(`# denoiser: noise -${noiseDrop.toFixed(1)} dB, tone ${toneChange >= 0 ? '+' : ''}${toneChange.toFixed(2)} dB`);
    denoiser.destroy();
    assert.throws(() => denoiser.process(frame), /after destroy/);
  });

  it('allocates next to nothing per 20 ms step (and reports its CPU cost)', async () => {
    const denoiser = await createDenoiser();
    const noise = whiteNoise(RATE * 10, -30, 3);
    const frame = new Int16Array(160);
    let at = 0;
    const step = (): void => {
      for (let i = 0; i < 160; i++) frame[i] = noise[at + i]!;
      denoiser.process(frame);
      at = (at + 160) % noise.length;
    };
    for (let i = 0; i < 3000; i++) step(); // warm-up: a minute of audio
    const ticks = 3000;
    const started = process.cpuUsage();
    const results = await measureYoungAllocation(step, ticks);
    const cpu = process.cpuUsage(started);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const audioMs = ticks * results.length * 20;
    console.log(
      `# denoiser CPU: ${cpuMs.toFixed(0)} ms for ${audioMs / 1000} s of audio = ${((100 * cpuMs) / audioMs).toFixed(2)}% of a core per denoised leg` +
        ` (${((1000 * cpuMs) / (ticks * results.length)).toFixed(0)} µs per 20 ms tick)`,
    );
    // Two RNNoise calls a step box their float result (16 bytes each) at the WebAssembly
    // boundary; nothing per sample, no buffers.
    assert.ok(
      results.some((r) => r.collections === 0 && r.youngBytes < 40 * ticks),
      `young-generation growth per window of ${ticks} steps: ${JSON.stringify(results)}`,
    );
    denoiser.destroy();
  });
});


/** The audio `socket` sent (µ-law packets, PT 0) from its `fromPacket`th packet on, decoded. */
function sentAudio(socket: LoopSocket, fromPacket = 0): Int16Array {
  const frames = socket.audio(fromPacket);
  const pcm = new Int16Array(frames.length * 160);
  frames.forEach((p, i) => decodeUlaw(p, pcm.subarray(i * 160)));
  return pcm;
}

/** The runtime harness, with `send` answering 'ok' or the error code and `request` the reply. */
function setup() {
  const { outcome, send, sockets, timers } = startWorkerRuntime(0);
  return { send: outcome, request: send, sockets, timers };
}

const createLeg = (legId: string, remotePort: number): MediaCommand => createLegCommand(legId, remotePort, { telephoneEventPt: null });

/** The far end of a leg: sends `pcm` as µ-law, a frame per tick. */
function sendThrough(socket: LoopSocket, port: number, timers: ManualTimers, pcm: Int16Array, header: RtpHeaderInit): void {
  const packet = Buffer.alloc(172);
  for (let at = 0; at + 160 <= pcm.length; at += 160) {
    writeRtpHeader(header, packet);
    encodeUlaw(pcm.subarray(at, at + 160), packet, 12);
    header.seq = (header.seq + 1) & 0xffff;
    header.timestamp = (header.timestamp + 160) >>> 0;
    socket.deliver(packet, port);
    timers.tick();
  }
  for (let i = 0; i < 10; i++) timers.tick(); // the jitter buffer drains
}

/** Where `inner` starts in `outer` (exact match of its first frame), or -1. */
function find(outer: Int16Array, inner: Int16Array): number {
  outer: for (let at = 0; at + 160 <= outer.length; at++) {
    for (let i = 0; i < 160; i++) if (outer[at + i] !== inner[i]) continue outer;
    return at;
  }
  return -1;
}

describe('media worker: setDenoise', () => {
  it('denoises what the capture and the bridged leg get, and passes the audio unchanged once off', async () => {
    const { send, request, sockets, timers } = setup();
    assert.equal(await send(createLeg('a', 9000)), 'ok');
    assert.equal(await send(createLeg('b', 9002)), 'ok');
    assert.equal(await send({ type: 'bridge', legA: 'a', legB: 'b' }), 'ok');
    assert.equal(await send({ type: 'setDenoise', legId: 'a', enabled: true }), 'ok');
    assert.equal(await send({ type: 'setDenoise', legId: 'a', enabled: true }), 'ok', 'on twice is on');
    assert.equal(await send({ type: 'captureStart', legId: 'a', maxMs: 10_000 }), 'ok');
    const [socketA, socketB] = sockets as [LoopSocket, LoopSocket];
    const header: RtpHeaderInit = { marker: false, payloadType: 0, seq: 1000, timestamp: 0x80000000, ssrc: 0x1234abcd };

    const input = toneInNoise(SECONDS, 11);
    const heard = throughUlaw(input);
    sendThrough(socketA, 9000, timers, input, header);
    const reply = await request({ type: 'captureStop', legId: 'a' });
    assert.ok(reply.ok);
    const { pcm, samples } = reply.result as { pcm: ArrayBuffer; samples: number };
    const captured = new Int16Array(pcm, 0, samples);
    const bridged = sentAudio(socketB);
    for (const [what, output] of [
      ['capture', captured],
      ['bridge', bridged],
    ] as const) {
      // Each output lags the input by a few frames (jitter buffer, denoiser): compare the same seconds of sound.
      const to = Math.min(heard.length, output.length) - 4 * 160;
      const { noiseDrop, toneChange } = compare(heard, output, SETTLE, to);
      assert.ok(noiseDrop >= 10, `${what}: noise down only ${noiseDrop.toFixed(1)} dB`);
      assert.ok(Math.abs(toneChange) <= 3, `${what}: tone changed by ${toneChange.toFixed(1)} dB`);
    }

    assert.equal(await send({ type: 'setDenoise', legId: 'a', enabled: false }), 'ok');
    assert.equal(await send({ type: 'captureStart', legId: 'a', maxMs: 10_000 }), 'ok');
    const sentBefore = socketB.sent.length;
    const again = toneInNoise(2, 12);
    sendThrough(socketA, 9000, timers, again, header);
    const off = await request({ type: 'captureStop', legId: 'a' });
    assert.ok(off.ok);
    const after = off.result as { pcm: ArrayBuffer; samples: number };
    const capturedOff = new Int16Array(after.pcm, 0, after.samples);
    const heardOff = throughUlaw(again);
    const start = find(capturedOff, heardOff);
    assert.ok(start >= 0, 'the capture holds the received audio as it came');
    assert.deepEqual(capturedOff.subarray(start, start + heardOff.length), heardOff, 'off: every sample unchanged');
    const bridgedOff = sentAudio(socketB, sentBefore);
    const at = find(bridgedOff, heardOff);
    assert.ok(at >= 0, 'the bridged leg sends the received audio as it came');
    assert.deepEqual(bridgedOff.subarray(at, at + heardOff.length), heardOff);
  });

  it('answers setDenoise on an unknown leg with leg-not-found', async () => {
    const { send } = setup();
    assert.equal(await send({ type: 'setDenoise', legId: 'nope', enabled: true }), 'leg-not-found');
  });
});

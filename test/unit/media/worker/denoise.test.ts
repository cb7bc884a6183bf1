/**
 * Noise suppression of a leg's received audio (`setDenoise`, RNNoise): a 440 Hz tone
 * in white noise comes out with the noise ≥ 10 dB down and the tone within ±3 dB, in
 * the capture and in what the bridged leg sends; turned off, the audio passes
 * unchanged again. The denoiser's 20 ms step allocates next to nothing, and its CPU cost is
 * printed as a diagnostic (not asserted).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RemoteInfo } from 'node:dgram';
import { createDenoiser } from '../../../../src/media/audio/denoise.js';
import { decodeUlaw, encodeUlaw } from '../../../../src/media/codec/g711.js';
import type { MediaCommand, WorkerOutbound } from '../../../../src/media/protocol.js';
import { writeRtpHeader, type RtpHeaderInit } from '../../../../src/media/rtp/packet.js';
import type { LegSocket } from '../../../../src/media/worker/leg.js';
import { MediaWorkerRuntime } from '../../../../src/media/worker/runtime.js';
import type { TickTimers } from '../../../../src/media/worker/scheduler.js';
import { sine } from '../../../support/audio.js';
import { noiseDb, toneDb } from '../../../support/noise.js';
import { measureYoungAllocation } from '../../../support/young-allocation.js';
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

// ---------------------------------------------------------------------------
// In the worker runtime: sockets that keep what they send and hand the leg the
// datagrams the test delivers, and a tick clock the test moves.

class LoopSocket implements LegSocket {
  sent: Uint8Array[] = [];
  #onMessage: (msg: Buffer, rinfo: RemoteInfo) => void = () => undefined;
  send(msg: Uint8Array, ...rest: unknown[]): void {
    const ranged = typeof rest[1] === 'number' && typeof rest[2] === 'number';
    const offset = ranged ? (rest[0] as number) : 0;
    const length = ranged ? (rest[1] as number) : msg.length;
    this.sent.push(Uint8Array.from(msg.subarray(offset, offset + length)));
    (rest.find((r) => typeof r === 'function') as (() => void) | undefined)?.();
  }
  on(event: 'message' | 'error', listener: ((msg: Buffer, rinfo: RemoteInfo) => void) | ((error: Error) => void)): this {
    if (event === 'message') this.#onMessage = listener as (msg: Buffer, rinfo: RemoteInfo) => void;
    return this;
  }
  close(): void {}
  deliver(packet: Buffer, port: number): void {
    this.#onMessage(packet, { address: '127.0.0.1', family: 'IPv4', port, size: packet.length });
  }
  /** The audio this socket sent (µ-law packets, PT 0), decoded. */
  audio(fromPacket = 0): Int16Array {
    const payloads = this.sent.slice(fromPacket).filter((p) => p.length === 172 && (p[1]! & 0x7f) === 0);
    const pcm = new Int16Array(payloads.length * 160);
    payloads.forEach((p, i) => decodeUlaw(p.subarray(12), pcm.subarray(i * 160)));
    return pcm;
  }
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
  tick(): void {
    const p = this.#pending;
    if (p === null) return;
    this.time = p.at;
    this.#pending = null;
    p.fn();
  }
}

function setup() {
  const posted: WorkerOutbound[] = [];
  const sockets: LoopSocket[] = [];
  const timers = new ManualTimers();
  let port = 40000;
  const runtime = new MediaWorkerRuntime({
    workerIndex: 0,
    post: (message) => posted.push(message),
    timers,
    bind: async () => {
      const rtp = new LoopSocket();
      sockets.push(rtp);
      port += 2;
      return { rtp, rtcp: null, port };
    },
  });
  let id = 0;
  const request = async (command: MediaCommand): Promise<WorkerOutbound & { kind: 'reply' }> => {
    const requestId = ++id;
    runtime.handle({ kind: 'request', id: requestId, command });
    const answered = (): WorkerOutbound | undefined => posted.find((m) => m.kind === 'reply' && m.id === requestId);
    for (let i = 0; i < 2000 && answered() === undefined; i++) await new Promise((resolve) => setImmediate(resolve));
    const reply = answered();
    assert.ok(reply?.kind === 'reply', `a reply to ${command.type}`);
    return reply;
  };
  const send = async (command: MediaCommand): Promise<string> => {
    const reply = await request(command);
    return reply.ok ? 'ok' : reply.error.code;
  };
  return { runtime, sockets, timers, send, request };
}

const createLeg = (legId: string, remotePort: number): MediaCommand => ({
  type: 'createLeg',
  legId,
  bindAddress: '127.0.0.1',
  ports: { min: 40000, max: 40100 },
  codec: 'PCMU',
  symmetricRtp: true,
  rtcpMux: true,
  remote: { address: '127.0.0.1', port: remotePort },
});

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

/** `pcm` as the leg hears it: through µ-law and back. */
function throughUlaw(pcm: Int16Array): Int16Array {
  const bytes = new Uint8Array(pcm.length);
  encodeUlaw(pcm, bytes);
  const out = new Int16Array(pcm.length);
  decodeUlaw(bytes, out);
  return out;
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
    const bridged = socketB.audio();
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
    const bridgedOff = socketB.audio(sentBefore);
    const at = find(bridgedOff, heardOff);
    assert.ok(at >= 0, 'the bridged leg sends the received audio as it came');
    assert.deepEqual(bridgedOff.subarray(at, at + heardOff.length), heardOff);
  });

  it('answers setDenoise on an unknown leg with leg-not-found', async () => {
    const { send } = setup();
    assert.equal(await send({ type: 'setDenoise', legId: 'nope', enabled: true }), 'leg-not-found');
  });
});

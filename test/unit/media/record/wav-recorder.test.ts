import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { WavRecorder } from '../../../../src/media/record/wav-recorder.js';
import { testTone } from '../../../../src/media/source/tone.js';
import { rms, toneShare } from '../audio/audio-kit.js';

function scratch(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'dialtone-rec-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

interface ReadBack {
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  samples: Int16Array[];
}

/** Reads a recording back with wavefile, an independent reader. */
function readBack(path: string): ReadBack {
  const wav = new wavefile.WaveFile(readFileSync(path));
  const fmt = wav.fmt as { numChannels: number; sampleRate: number; bitsPerSample: number; audioFormat: number };
  assert.equal(wav.container, 'RIFF');
  assert.equal(fmt.audioFormat, 1);
  const raw = wav.getSamples(false, Int16Array) as unknown;
  const samples = fmt.numChannels === 1 ? [raw as Int16Array] : (raw as Int16Array[]);
  return { channels: fmt.numChannels, sampleRate: fmt.sampleRate, bitsPerSample: fmt.bitsPerSample, samples };
}

describe('WavRecorder', () => {
  it('records dual channel: inbound left, outbound right', async () => {
    const { dir, done } = scratch();
    try {
      const path = join(dir, 'dual.wav');
      const recorder = await WavRecorder.open({ path, channels: 2, chunkBytes: 4000 });
      const inbound = new Int16Array(160);
      const outbound = new Int16Array(160);
      const left = testTone(1000, -10);
      const right = testTone(400, -16);
      const frames = 250; // 5 s
      for (let i = 0; i < frames; i++) {
        left.fill(inbound);
        right.fill(outbound);
        assert.equal(recorder.write(inbound, outbound), true);
      }
      assert.equal(recorder.durationMs, 5000);
      const result = await recorder.close();
      assert.deepEqual(result, { path, channels: 2, durationMs: 5000, bytes: 44 + frames * 160 * 4, droppedFrames: 0 });

      const bytes = readFileSync(path);
      assert.equal(bytes.length, result.bytes);
      const header = new DataView(bytes.buffer, bytes.byteOffset, 44);
      assert.equal(String.fromCharCode(...bytes.subarray(0, 4)), 'RIFF');
      assert.equal(header.getUint32(4, true), bytes.length - 8);
      assert.equal(String.fromCharCode(...bytes.subarray(36, 40)), 'data');
      assert.equal(header.getUint32(40, true), frames * 160 * 4);

      const back = readBack(path);
      assert.equal(back.sampleRate, 8000);
      assert.equal(back.channels, 2);
      assert.equal(back.bitsPerSample, 16);
      const [l, r] = back.samples as [Int16Array, Int16Array];
      assert.equal(l.length, 40000);
      assert.ok(toneShare(l, 1000) > 0.99, 'left holds the inbound tone');
      assert.ok(toneShare(r, 400) > 0.99, 'right holds the outbound tone');
      assert.ok(toneShare(l, 400) < 0.01 && toneShare(r, 1000) < 0.01, 'no crosstalk');
      // Exact samples: the first frame of each channel.
      const firstLeft = new Int16Array(160);
      testTone(1000, -10).fill(firstLeft);
      assert.deepEqual([...l.subarray(0, 160)], [...firstLeft]);
    } finally {
      done();
    }
  });

  it('records mono, mixing a second frame in with saturation', async () => {
    const { dir, done } = scratch();
    try {
      const path = join(dir, 'mono.wav');
      const recorder = await WavRecorder.open({ path });
      const a = new Int16Array(160);
      testTone(1000, -10).fill(a);
      for (let i = 0; i < 50; i++) recorder.write(a);
      const loud = new Int16Array(160).fill(30000);
      recorder.write(loud, loud);
      const result = await recorder.close();
      assert.equal(result.channels, 1);
      assert.equal(result.durationMs, 1020);
      const back = readBack(path);
      assert.equal(back.channels, 1);
      const samples = back.samples[0]!;
      assert.equal(samples.length, 51 * 160);
      assert.ok(toneShare(samples, 1000, 8000, 0, 8000) > 0.99);
      assert.ok(rms(samples, 0, 8000) > 5000);
      assert.equal(samples[8000], 32767);
    } finally {
      done();
    }
  });

  it('stops at maxDurationMs, refuses writes after close, closes idempotently', async () => {
    const { dir, done } = scratch();
    try {
      const path = join(dir, 'short.wav');
      const recorder = await WavRecorder.open({ path, channels: 2, maxDurationMs: 100 });
      const frame = new Int16Array(160).fill(1000);
      let accepted = 0;
      for (let i = 0; i < 10; i++) if (recorder.write(frame)) accepted++;
      assert.equal(accepted, 5);
      assert.throws(() => recorder.write(frame, new Int16Array(80)), RangeError);
      const first = recorder.close();
      assert.equal(recorder.write(frame), false);
      const result = await first;
      assert.equal(await recorder.close(), result);
      assert.equal(result.durationMs, 100);
      const back = readBack(path);
      assert.equal(back.samples[0]!.length, 800);
      assert.ok(back.samples[1]!.every((x) => x === 0), 'right channel silent when no outbound frame');
    } finally {
      done();
    }
  });

  it('writes a valid empty file, fails to open in a missing directory, and aborts by deleting', async () => {
    const { dir, done } = scratch();
    try {
      const empty = await (await WavRecorder.open({ path: join(dir, 'empty.wav') })).close();
      assert.equal(empty.bytes, 44);
      assert.equal(readBack(empty.path).samples[0]!.length, 0);
      await assert.rejects(WavRecorder.open({ path: join(dir, 'no', 'such', 'dir.wav') }), /ENOENT/);
      const path = join(dir, 'aborted.wav');
      const recorder = await WavRecorder.open({ path });
      recorder.write(new Int16Array(160));
      await recorder.abort();
      assert.equal(existsSync(path), false);
      await assert.rejects(recorder.close(), /aborted/);
    } finally {
      done();
    }
  });

  it('keeps memory bounded over a long recording', async () => {
    const { dir, done } = scratch();
    try {
      const recorder = await WavRecorder.open({ path: join(dir, 'long.wav'), channels: 2 });
      const frame = new Int16Array(160);
      const tone = testTone(700);
      const before = process.memoryUsage().arrayBuffers;
      let peak = 0;
      // 10 minutes of dual-channel audio, 100 times faster than real time: 2 s bursts,
      // then a pause while more than 256 kB waits for the disk.
      for (let burst = 0; burst < 300; burst++) {
        for (let i = 0; i < 100; i++) {
          tone.fill(frame);
          recorder.write(frame, frame);
        }
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
        while (recorder.pendingBytes > 256 * 1024) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      const result = await recorder.close();
      assert.equal(result.droppedFrames, 0);
      assert.equal(result.durationMs, 600_000);
      assert.ok(peak < 4 * 1024 * 1024, `buffers grew by ${peak} bytes`);
      assert.equal(result.bytes, 44 + 600 * 32000);
    } finally {
      done();
    }
  });

  it('drops (and counts) frames rather than queue without limit when the disk falls behind', async () => {
    const { dir, done } = scratch();
    try {
      const path = join(dir, 'behind.wav');
      const recorder = await WavRecorder.open({ path, chunkBytes: 3200, maxPendingBytes: 6400 });
      const frame = new Int16Array(160).fill(123);
      let accepted = 0;
      for (let i = 0; i < 200; i++) if (recorder.write(frame)) accepted++; // 4 s in one tick
      const result = await recorder.close();
      assert.ok(result.droppedFrames > 0);
      assert.equal(accepted + result.droppedFrames, 200);
      assert.equal(result.durationMs, accepted * 20);
      assert.equal(readBack(path).samples[0]!.length, accepted * 160);
    } finally {
      done();
    }
  });
});

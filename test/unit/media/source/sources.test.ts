import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { AudioSource } from '../../../../src/media/source/audio-source.js';
import { PcmSource } from '../../../../src/media/source/pcm-source.js';
import { SilenceSource } from '../../../../src/media/source/silence.js';
import { ToneSource } from '../../../../src/media/source/tone-source.js';
import { ToneGenerator, dtmfTone, testTone } from '../../../../src/media/source/tone.js';

/** Reads frames until the source finishes (or `limit` frames), concatenated. */
function drain(source: AudioSource, limit = 10_000): { samples: number[]; frames: number } {
  const frame = new Int16Array(160);
  const samples: number[] = [];
  let frames = 0;
  while (frames < limit && source.read(frame)) {
    samples.push(...frame);
    frames++;
  }
  return { samples, frames };
}

describe('SilenceSource', () => {
  it('writes zeros for its duration, rounded up to whole frames', () => {
    const source = new SilenceSource(50);
    const frame = new Int16Array(160).fill(7);
    assert.equal(source.read(frame), true);
    assert.ok(frame.every((x) => x === 0));
    assert.equal(drain(source).frames, 2, '50 ms = 2.5 frames → 3 in all');
    assert.equal(source.read(frame), false);
    assert.equal(source.describe(), 'silence(0.05s)');
    source.reset();
    assert.equal(source.read(frame), true);
  });

  it('lasts forever by default and is empty at 0 ms', () => {
    assert.equal(drain(new SilenceSource(), 500).frames, 500);
    assert.equal(new SilenceSource(0).read(new Int16Array(160)), false);
    assert.equal(new SilenceSource().describe(), 'silence');
    assert.throws(() => new SilenceSource(-1), RangeError);
  });
});

describe('ToneSource', () => {
  it('plays a generator for a duration, padding the last frame', () => {
    const source = new ToneSource(testTone(1000, -10), 30);
    const { samples, frames } = drain(source);
    assert.equal(frames, 2);
    assert.notEqual(samples[239], 0);
    assert.ok(samples.slice(240).every((x) => x === 0));
    assert.match(source.describe(), /^tone\(1000Hz,-10dBm0\) 0\.03s$/);
  });

  it('plays DTMF until stopped and matches the generator sample for sample', () => {
    const source = new ToneSource(dtmfTone('5'));
    const reference = new Int16Array(1600);
    dtmfTone('5').fill(reference);
    assert.deepEqual(drain(source, 10).samples, [...reference]);
    assert.throws(() => new ToneSource(new ToneGenerator({ frequencies: [1000], sampleRate: 16000 })), RangeError);
  });
});

describe('PcmSource', () => {
  const pcm = new Int16Array(400).map((_, i) => i + 1); // 2.5 frames, never 0

  it('plays the buffer once by default, padding with silence', () => {
    const source = new PcmSource(pcm, { label: 'greeting.wav' });
    const { samples, frames } = drain(source);
    assert.equal(frames, 3);
    assert.deepEqual(samples.slice(0, 400), [...pcm]);
    assert.ok(samples.slice(400).every((x) => x === 0));
    assert.equal(source.finished, true);
    assert.equal(source.read(new Int16Array(160)), false);
    assert.equal(source.describe(), 'pcm(greeting.wav 0.05s, loop 1/1)');
  });

  it('loops seamlessly: a frame that reaches the end continues from the start', () => {
    const source = new PcmSource(pcm, { loop: 3 });
    assert.match(source.describe(), /loop 1\/3/);
    const { samples, frames } = drain(source);
    assert.equal(frames, Math.ceil(1200 / 160));
    const expected = [...pcm, ...pcm, ...pcm];
    assert.deepEqual(samples.slice(0, 1200), expected);
    assert.ok(samples.slice(1200).every((x) => x === 0));
    assert.equal(source.passes, 3);
    source.reset();
    assert.equal(source.finished, false);
    assert.equal(source.position, 0);
  });

  it('loops forever with loop 0', () => {
    const source = new PcmSource(pcm, { loop: 0 });
    const { samples, frames } = drain(source, 1000);
    assert.equal(frames, 1000);
    assert.equal(samples[160_000 - 1], pcm[(160_000 - 1) % 400]);
    assert.equal(source.finished, false);
    assert.match(source.describe(), /loop ∞/);
  });

  it('handles buffers shorter than a frame, empty buffers and bad loop counts', () => {
    const tiny = new PcmSource(Int16Array.of(5, 6, 7), { loop: 100 });
    const { samples, frames } = drain(tiny);
    assert.equal(frames, 2);
    assert.deepEqual(samples.slice(0, 300), Array.from({ length: 300 }, (_, i) => [5, 6, 7][i % 3]));
    assert.equal(new PcmSource(new Int16Array(0), { loop: 0 }).read(new Int16Array(160)), false);
    assert.throws(() => new PcmSource(pcm, { loop: -1 }), RangeError);
    assert.throws(() => new PcmSource(pcm, { loop: 1.5 }), RangeError);
  });

  it('shares the buffer between sources without copying', () => {
    const a = new PcmSource(pcm);
    const b = new PcmSource(pcm);
    assert.equal(a.pcm, b.pcm);
  });
});

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('sources on the hot path', () => {
  it('allocate nothing per frame', async () => {
    const frame = new Int16Array(160);
    const prompt = new Int16Array(8000 * 3 + 37).map((_, i) => (i * 31) % 2000);
    const sources: AudioSource[] = [
      new PcmSource(prompt, { loop: 0 }),
      new SilenceSource(),
      new ToneSource(testTone(1000, -10)),
      new ToneSource(dtmfTone('#')),
    ];
    let sum = 0;
    const tick = (): void => {
      for (const source of sources) {
        source.read(frame);
        sum = (sum + frame[17]!) | 0;
      }
    };
    for (let i = 0; i < 50_000; i++) tick();
    const collections: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) collections.push(entry.startTime);
    });
    observer.observe({ entryTypes: ['gc'] });
    const ticks = 50_000;
    const windows: { grown: number; start: number; end: number }[] = [];
    for (let w = 0; w < 3; w++) {
      gc();
      const start = performance.now();
      const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < ticks; i++) tick();
      windows.push({ grown: process.memoryUsage().heapUsed - before, start, end: performance.now() });
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    observer.disconnect();
    const results = windows.map((w) => ({
      grown: w.grown,
      collections: collections.filter((t) => t >= w.start && t <= w.end).length,
    }));
    assert.ok(Number.isFinite(sum));
    assert.ok(
      results.some((r) => r.collections === 0 && r.grown < ticks),
      `heap growth and collections per window of ${ticks} ticks: ${JSON.stringify(results)}`,
    );
  });
});

/**
 * Audio for end-to-end tests: tones to send (as 8 kHz 16-bit WAV), recordings to read,
 * and measures of them: the Goertzel power of one frequency, RMS, the loud frames, and
 * `sox stat` as a second opinion.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import wavefile from 'wavefile';
import { decodeUlaw, encodeUlaw } from '../../src/media/codec/g711.js';

export const RATE = 8000;
export const SOX = '/usr/bin/sox';

/** A sine of `amplitude` (0–1 of full scale). */
export function sine(frequency: number, seconds: number, amplitude: number): Int16Array {
  const out = new Int16Array(Math.round(RATE * seconds));
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * frequency * i) / RATE));
  return out;
}

/** `pcm` as a phone line carries it: through G.711 µ-law and back. */
export function throughUlaw(pcm: Int16Array): Int16Array {
  const bytes = new Uint8Array(pcm.length);
  encodeUlaw(pcm, bytes);
  const out = new Int16Array(pcm.length);
  decodeUlaw(bytes, out);
  return out;
}

/** 8 kHz mono 16-bit WAV bytes. */
export function wavBytes(samples: Int16Array): Buffer {
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, RATE, '16', samples);
  return Buffer.from(wav.toBuffer());
}

/** Writes `parts`, one after the other, as an 8 kHz mono 16-bit WAV file; returns `path`. */
export function writeWav(path: string, ...parts: Int16Array[]): string {
  const samples = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    samples.set(p, at);
    at += p.length;
  }
  writeFileSync(path, wavBytes(samples));
  return path;
}

/** A WAV's format and its samples (interleaved when there are more channels). */
export function readWav(bytes: Uint8Array): { channels: number; rate: number; bitsPerSample: number; audioFormat: number; samples: Int16Array } {
  const wav = new wavefile.WaveFile(bytes);
  const fmt = wav.fmt as { numChannels: number; sampleRate: number; bitsPerSample: number; audioFormat: number };
  return {
    channels: fmt.numChannels,
    rate: fmt.sampleRate,
    bitsPerSample: fmt.bitsPerSample,
    audioFormat: fmt.audioFormat,
    samples: wav.getSamples(false, Int16Array) as unknown as Int16Array,
  };
}

/** The samples of a 16-bit WAV file (the first channel when there are more). */
export function readPcm(path: string): Int16Array {
  const wav = new wavefile.WaveFile(readFileSync(path));
  const samples = wav.getSamples(false, Int16Array) as unknown as Int16Array | Int16Array[];
  return Array.isArray(samples) ? samples[0]! : samples;
}

/** Goertzel power |X(f)|² / n over [from, to). */
export function goertzel(pcm: Int16Array, frequency: number, from = 0, to = pcm.length): number {
  const k = 2 * Math.cos((2 * Math.PI * frequency) / RATE);
  let s1 = 0;
  let s2 = 0;
  for (let i = from; i < to; i++) {
    const s0 = pcm[i]! + k * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / Math.max(1, to - from);
}

export function rms(pcm: Int16Array, from = 0, to = pcm.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += pcm[i]! * pcm[i]!;
  return Math.sqrt(sum / Math.max(1, to - from));
}

/** 20 ms frames whose RMS is above `threshold`, and the first and last of them (in samples; -1 when none). */
export function loudFrames(pcm: Int16Array, threshold: number): { frames: number; start: number; end: number } {
  const frame = RATE / 50;
  let frames = 0;
  let start = -1;
  let end = -1;
  for (let i = 0; i + frame <= pcm.length; i += frame) {
    if (rms(pcm, i, i + frame) > threshold) {
      frames++;
      if (start < 0) start = i;
      end = i + frame;
    }
  }
  return { frames, start, end };
}

/** First and last 20 ms frame (in samples) whose RMS is above `threshold`; undefined when none is. */
export function activeSpan(pcm: Int16Array, threshold: number): { start: number; end: number } | undefined {
  const { start, end } = loudFrames(pcm, threshold);
  return start < 0 ? undefined : { start, end };
}

/** Normalised correlation of source[from, to) with recorded[from + lag, to + lag); 1 = identical up to gain. */
export function correlationAt(source: Int16Array, recorded: Int16Array, from: number, to: number, lag: number): number {
  let xy = 0;
  let xx = 0;
  let yy = 0;
  for (let i = from; i < to; i++) {
    const j = i + lag;
    if (j < 0 || j >= recorded.length) continue;
    const x = source[i]!;
    const y = recorded[j]!;
    xy += x * y;
    xx += x * x;
    yy += y * y;
  }
  return xx === 0 || yy === 0 ? 0 : xy / Math.sqrt(xx * yy);
}

/**
 * How well a recording matches its source: each 250 ms window of the source that holds
 * sound (RMS over `silence`) is looked for in the recording at lags in [minLag, maxLag]
 * samples (recorded[i + lag] ≈ source[i]); the best correlation and its lag per window.
 * Window by window, so that one frame the jitter buffer conceals or drops (a loaded
 * machine) shifts the later windows instead of ruining the whole comparison.
 */
export function windowMatch(
  source: Int16Array,
  recorded: Int16Array,
  minLag: number,
  maxLag: number,
  silence: number,
): { correlation: number; lag: number }[] {
  const size = RATE / 4;
  const out: { correlation: number; lag: number }[] = [];
  for (let from = 0; from + size <= source.length; from += size) {
    if (rms(source, from, from + size) < silence) continue;
    let best = { correlation: -1, lag: 0 };
    for (let lag = minLag; lag <= maxLag; lag++) {
      if (from + lag < 0 || from + size + lag > recorded.length) continue;
      const c = correlationAt(source, recorded, from, from + size, lag);
      if (c > best.correlation) best = { correlation: c, lag };
    }
    out.push(best);
  }
  return out;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** `sox FILE -n stat`, as numbers by name (`Length (seconds)`, `Rough frequency`…). */
export function soxStat(path: string): Map<string, number> {
  const run = spawnSync(SOX, [path, '-n', 'stat'], { encoding: 'utf8', timeout: 10_000 });
  const out = new Map<string, number>();
  for (const line of `${run.stdout}${run.stderr}`.split('\n')) {
    const m = /^([A-Za-z ()]+?):\s+(-?[\d.]+)/.exec(line);
    if (m) out.set(m[1]!.replace(/\s+/g, ' ').trim(), Number(m[2]));
  }
  return out;
}

/**
 * The last `seconds` of `pcm` carry a tone of `frequency`: loud (over 0.2 of full scale)
 * and over 100× any of `others` (ringback, neighbours). Returns a line for the log.
 */
export function assertHeardTone(
  pcm: Int16Array,
  seconds: number,
  context: string,
  frequency = 1000,
  others: readonly number[] = [440, 480, 500, 1500, 2000],
): string {
  const to = pcm.length;
  const from = Math.max(0, to - Math.round(seconds * RATE));
  assert.ok(to - from >= RATE, `recording too short: ${pcm.length} samples\n${context}`);
  const at = goertzel(pcm, frequency, from, to);
  const ratio = at / Math.max(...others.map((f) => goertzel(pcm, f, from, to)));
  // A sine of amplitude A gives A²·n/4.
  const amplitude = Math.sqrt((4 * at) / (to - from)) / 32767;
  assert.ok(amplitude > 0.2, `${frequency} Hz amplitude ${amplitude.toFixed(3)} FS\n${context}`);
  assert.ok(ratio > 100, `${frequency} Hz only ${ratio.toFixed(1)}× the strongest other frequency\n${context}`);
  return `${frequency} Hz at ${amplitude.toFixed(3)} FS, ${ratio.toExponential(2)}× the next frequency`;
}

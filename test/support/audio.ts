/**
 * Audio for end-to-end tests: tones to send (as 8 kHz 16-bit WAV), recordings to read,
 * and the Goertzel measure of how much of one frequency they hold.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import wavefile from 'wavefile';

export const RATE = 8000;

/** A sine of `amplitude` (0–1 of full scale). */
export function sine(frequency: number, seconds: number, amplitude: number): Int16Array {
  const out = new Int16Array(Math.round(RATE * seconds));
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * frequency * i) / RATE));
  return out;
}

/** 8 kHz mono 16-bit WAV bytes. */
export function wavBytes(samples: Int16Array): Buffer {
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, RATE, '16', samples);
  return Buffer.from(wav.toBuffer());
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
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / (to - from);
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

/**
 * Test signals for the media tests: a seeded PRNG, white noise, chirps and
 * speech-like and music-like harmonic sounds at levels in dBm0. Test support
 * only (not a .test.ts file).
 */
import { dbm0ToPeak } from '../../../src/media/codec/level.js';

/** mulberry32: a small seeded PRNG returning [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample (Box–Muller). */
function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function clamp16(v: number): number {
  return Math.max(-32768, Math.min(32767, Math.round(v)));
}

/** White Gaussian noise whose mean square equals that of a sine at `dbm0`. */
export function whiteNoise(samples: number, dbm0: number, seed: number): Int16Array {
  const random = seededRandom(seed);
  const sigma = dbm0ToPeak(dbm0) / Math.SQRT2;
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) out[i] = clamp16(sigma * gaussian(random));
  return out;
}

/** Adds `b` into `a` (same length or shorter), saturating. Returns `a`. */
export function mixInto(a: Int16Array, b: Int16Array, offset = 0): Int16Array {
  for (let i = 0; i < b.length && offset + i < a.length; i++) a[offset + i] = clamp16(a[offset + i]! + b[i]!);
  return a;
}

/** A linear chirp from `f0` to `f1` Hz at `dbm0`. */
export function chirp(samples: number, f0: number, f1: number, dbm0: number, sampleRate = 8000): Int16Array {
  const out = new Int16Array(samples);
  const amp = dbm0ToPeak(dbm0);
  const duration = samples / sampleRate;
  for (let i = 0; i < samples; i++) {
    const t = i / sampleRate;
    const phase = 2 * Math.PI * (f0 * t + ((f1 - f0) * t * t) / (2 * duration));
    out[i] = clamp16(amp * Math.sin(phase));
  }
  return out;
}

/**
 * A voiced-speech-like sound: a harmonic series on a pitch that glides between
 * `f0Low` and `f0High`, its harmonics shaped by two formant resonances that
 * move (a vowel changing), at an overall level of `dbm0`.
 */
export function speechLike(samples: number, dbm0: number, seed: number, sampleRate = 8000): Int16Array {
  const random = seededRandom(seed);
  const f0Low = 85 + random() * 80;
  const f0High = f0Low * (1.2 + random() * 0.6);
  const formant1 = [300 + random() * 500, 300 + random() * 500];
  const formant2 = [900 + random() * 1500, 900 + random() * 1500];
  const raw = new Float64Array(samples);
  const phases = new Float64Array(40);
  let energy = 0;
  for (let i = 0; i < samples; i++) {
    const x = i / samples;
    const f0 = f0Low + (f0High - f0Low) * (0.5 - 0.5 * Math.cos(2 * Math.PI * x * 1.5));
    const fm1 = formant1[0]! + (formant1[1]! - formant1[0]!) * x;
    const fm2 = formant2[0]! + (formant2[1]! - formant2[0]!) * x;
    let v = 0;
    for (let h = 1; h < 40; h++) {
      const f = f0 * h;
      if (f >= sampleRate / 2 - 100) break;
      phases[h] = phases[h]! + (2 * Math.PI * f) / sampleRate;
      const gain = 1 / (1 + ((f - fm1) / 90) ** 2) + 0.6 / (1 + ((f - fm2) / 120) ** 2) + 0.02;
      v += gain * Math.sin(phases[h]!);
    }
    raw[i] = v;
    energy += v * v;
  }
  return scaleTo(raw, energy / samples, dbm0);
}

/**
 * A music-like sound: a sequence of chords (three notes of an equal-tempered
 * scale, each with decaying harmonics), changing every `noteMs`.
 */
export function musicLike(samples: number, dbm0: number, seed: number, noteMs = 250, sampleRate = 8000): Int16Array {
  const random = seededRandom(seed);
  const raw = new Float64Array(samples);
  const noteSamples = Math.round((noteMs * sampleRate) / 1000);
  let energy = 0;
  let notes = [0, 0, 0];
  for (let i = 0; i < samples; i++) {
    if (i % noteSamples === 0) {
      const root = 48 + Math.floor(random() * 24); // MIDI C3..B4
      notes = [root, root + (random() < 0.5 ? 3 : 4), root + 7];
    }
    const t = i / sampleRate;
    const envelope = Math.exp(-3 * ((i % noteSamples) / noteSamples));
    let v = 0;
    for (const note of notes) {
      const f = 440 * 2 ** ((note - 69) / 12);
      for (let h = 1; h <= 6 && f * h < sampleRate / 2; h++) v += (envelope / h) * Math.sin(2 * Math.PI * f * h * t);
    }
    raw[i] = v;
    energy += v * v;
  }
  return scaleTo(raw, energy / samples, dbm0);
}

function scaleTo(raw: Float64Array, meanSquare: number, dbm0: number): Int16Array {
  const target = dbm0ToPeak(dbm0) / Math.SQRT2;
  const gain = meanSquare > 0 ? target / Math.sqrt(meanSquare) : 0;
  const out = new Int16Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = clamp16(raw[i]! * gain);
  return out;
}

/** Concatenates PCM buffers. */
export function concat(...parts: Int16Array[]): Int16Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Int16Array(length);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

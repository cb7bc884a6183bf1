/**
 * Tone sources: one or two summed sine waves (a 1 kHz test tone, a DTMF digit,
 * call-progress tones) written into caller frames.
 *
 * Phase is carried from frame to frame, so consecutive frames join without a
 * click. A tone of whole hertz repeats every rate / gcd(rate, f1, f2) samples
 * (at most one second; 8 samples for 1 kHz, 200 for 440 + 480 Hz ringback):
 * that period is computed once, shared by every generator of the same tone,
 * and copied, a tenth of the cost of synthesizing. Other tones run, within a
 * frame, a two-multiply recurrence per oscillator seeded from the exact phase,
 * so there are two `Math.sin` calls per tone per frame, not per sample, and no
 * drift accumulates across frames.
 */
import { dbm0ToPeak } from '../codec/level.js';
import { type DtmfDigit, dtmfFrequencies } from '../dtmf/digit.js';

const TWO_PI = 2 * Math.PI;

/** One period of each whole-hertz tone made so far, by frequencies, levels and rate. */
const periods = new Map<string, Int16Array>();
const MAX_PERIODS = 64;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function clamp16(v: number): number {
  const r = Math.round(v);
  return r > 32767 ? 32767 : r < -32768 ? -32768 : r;
}

/** One period of the tone, or null when its frequencies (or rate) are not whole hertz. */
function periodOf(frequencies: readonly number[], amplitudes: readonly number[], rate: number): Int16Array | null {
  if (!Number.isInteger(rate) || !frequencies.every((f) => Number.isInteger(f))) return null;
  const key = `${frequencies.map((f, i) => `${f}@${amplitudes[i]}`).join('+')}/${rate}`;
  const cached = periods.get(key);
  if (cached !== undefined) return cached;
  if (periods.size >= MAX_PERIODS) periods.delete(periods.keys().next().value!);
  let g = rate;
  for (const f of frequencies) g = gcd(g, f);
  const table = new Int16Array(rate / g);
  for (let n = 0; n < table.length; n++) {
    let v = 0;
    for (let k = 0; k < frequencies.length; k++) v += amplitudes[k]! * Math.sin((TWO_PI * frequencies[k]! * n) / rate);
    table[n] = clamp16(v);
  }
  periods.set(key, table);
  return table;
}

export interface ToneOptions {
  /** One or two frequencies, Hz, each below half the sample rate. */
  frequencies: readonly [number] | readonly [number, number];
  /** Level of each tone, dBm0 (default -10). With two tones, the second may differ: see `levelsDbm0`. */
  levelDbm0?: number;
  /** Per-tone levels, dBm0; overrides `levelDbm0`. */
  levelsDbm0?: readonly [number] | readonly [number, number];
  /** Sample rate, Hz (default 8000). */
  sampleRate?: number;
}

/** Fills frames with a steady tone. Allocates nothing after construction. */
export class ToneGenerator {
  readonly sampleRate: number;
  readonly frequencies: readonly number[];
  readonly #levels: readonly number[];
  readonly #step0: number;
  readonly #step1: number;
  readonly #amp0: number;
  readonly #amp1: number;
  /** One period, for a tone of whole hertz (see {@link periodOf}). */
  readonly #period: Int16Array | null;
  #position = 0;
  #phase0 = 0;
  #phase1 = 0;

  constructor(options: ToneOptions) {
    this.sampleRate = options.sampleRate ?? 8000;
    const nyquist = this.sampleRate / 2;
    for (const f of options.frequencies) {
      if (!(f > 0 && f < nyquist)) throw new RangeError(`tone frequency ${f} Hz outside (0, ${nyquist})`);
    }
    this.frequencies = Object.freeze([...options.frequencies]);
    const level = options.levelDbm0 ?? -10;
    const levels = options.levelsDbm0 ?? [level, level];
    this.#levels = Object.freeze(this.frequencies.map((_, i) => levels[i] ?? level));
    this.#step0 = (TWO_PI * this.frequencies[0]!) / this.sampleRate;
    this.#amp0 = dbm0ToPeak(this.#levels[0]!);
    if (this.frequencies.length > 1) {
      this.#step1 = (TWO_PI * this.frequencies[1]!) / this.sampleRate;
      this.#amp1 = dbm0ToPeak(this.#levels[1]!);
    } else {
      this.#step1 = 0;
      this.#amp1 = 0;
    }
    const amplitudes = this.frequencies.length > 1 ? [this.#amp0, this.#amp1] : [this.#amp0];
    this.#period = periodOf(this.frequencies, amplitudes, this.sampleRate);
  }

  /** Writes the next `length` samples (default: all of `dst`) at `offset`. */
  fill(dst: Int16Array, length = dst.length, offset = 0): void {
    if (offset + length > dst.length) {
      throw new RangeError(`tone: ${length} samples at ${offset} do not fit in ${dst.length}`);
    }
    const period = this.#period;
    if (period !== null) {
      let p = this.#position;
      for (let i = 0; i < length; i++) {
        dst[offset + i] = period[p]!;
        if (++p === period.length) p = 0;
      }
      this.#position = p;
      return;
    }
    // Oscillator k: y[n] = c·y[n-1] − y[n-2], c = 2cos(step), seeded with sin(φ−step), sin(φ).
    const c0 = 2 * Math.cos(this.#step0);
    let prev0 = Math.sin(this.#phase0 - this.#step0);
    let cur0 = Math.sin(this.#phase0);
    const a0 = this.#amp0;
    const c1 = 2 * Math.cos(this.#step1);
    let prev1 = Math.sin(this.#phase1 - this.#step1);
    let cur1 = Math.sin(this.#phase1);
    const a1 = this.#amp1;
    for (let i = 0; i < length; i++) {
      dst[offset + i] = clamp16(a0 * cur0 + a1 * cur1);
      const next0 = c0 * cur0 - prev0;
      prev0 = cur0;
      cur0 = next0;
      const next1 = c1 * cur1 - prev1;
      prev1 = cur1;
      cur1 = next1;
    }
    this.#phase0 = (this.#phase0 + length * this.#step0) % TWO_PI;
    this.#phase1 = (this.#phase1 + length * this.#step1) % TWO_PI;
  }

  /** Restarts both oscillators at phase 0. */
  reset(): void {
    this.#position = 0;
    this.#phase0 = 0;
    this.#phase1 = 0;
  }

  /** e.g. "tone(697+1209Hz,-10dBm0)". */
  describe(): string {
    const levels = this.#levels[1] !== undefined && this.#levels[1] !== this.#levels[0]
      ? this.#levels.join('/')
      : String(this.#levels[0]);
    return `tone(${this.frequencies.join('+')}Hz,${levels}dBm0)`;
  }
}

/**
 * A DTMF digit's dual tone. `levelDbm0` is the level of each tone; `twistDb`
 * raises the high (column) tone above the low one (negative: below).
 */
export function dtmfTone(digit: DtmfDigit, levelDbm0 = -10, twistDb = 0, sampleRate = 8000): ToneGenerator {
  const { row, column } = dtmfFrequencies(digit);
  return new ToneGenerator({
    frequencies: [row, column],
    levelsDbm0: [levelDbm0, levelDbm0 + twistDb],
    sampleRate,
  });
}

/** A single-frequency test tone (default 1000 Hz at -10 dBm0). */
export function testTone(frequency = 1000, levelDbm0 = -10, sampleRate = 8000): ToneGenerator {
  return new ToneGenerator({ frequencies: [frequency], levelDbm0, sampleRate });
}

/**
 * A {@link ToneGenerator} (`tone.ts`) as an {@link AudioSource}: a test tone,
 * a DTMF digit or a call-progress tone for a set time, or until stopped.
 */
import { PCM8K_RATE } from '../audio/pcm.js';
import type { AudioSource } from './audio-source.js';
import type { ToneGenerator } from './tone.js';

export class ToneSource implements AudioSource {
  readonly generator: ToneGenerator;
  /** Samples to play in total (Infinity: until stopped). */
  readonly samples: number;
  #played = 0;

  /** Plays `generator` for `durationMs` (default: endless), rounded to whole samples. */
  constructor(generator: ToneGenerator, durationMs = Infinity) {
    if (generator.sampleRate !== PCM8K_RATE) {
      throw new RangeError(`tone source needs an 8000 Hz generator, got ${generator.sampleRate} Hz`);
    }
    if (!(durationMs >= 0)) throw new RangeError(`tone duration ${durationMs} ms is negative`);
    this.generator = generator;
    this.samples = durationMs === Infinity ? Infinity : Math.round((durationMs * PCM8K_RATE) / 1000);
  }

  read(dst: Int16Array): boolean {
    const left = this.samples - this.#played;
    if (left <= 0) return false;
    if (left >= dst.length) {
      this.generator.fill(dst);
      this.#played += dst.length;
    } else {
      this.generator.fill(dst, left, 0);
      dst.fill(0, left);
      this.#played = this.samples;
    }
    return true;
  }

  reset(): void {
    this.#played = 0;
    this.generator.reset();
  }

  describe(): string {
    const d = this.samples === Infinity ? '' : ` ${(this.samples / PCM8K_RATE).toFixed(2)}s`;
    return `${this.generator.describe()}${d}`;
  }
}

/**
 * A source of digital silence: `<Pause>`, gaps between prompts, and a
 * placeholder while a prompt is still being fetched or synthesized.
 */
import { PCM8K_RATE } from '../audio/pcm.js';
import type { AudioSource } from './audio-source.js';

export class SilenceSource implements AudioSource {
  /** Samples to play in total (Infinity: until stopped). */
  readonly samples: number;
  #played = 0;

  /** `durationMs` of silence (default: endless), rounded to whole samples. */
  constructor(durationMs = Infinity) {
    if (!(durationMs >= 0)) throw new RangeError(`silence duration ${durationMs} ms is negative`);
    this.samples = durationMs === Infinity ? Infinity : Math.round((durationMs * PCM8K_RATE) / 1000);
  }

  read(dst: Int16Array): boolean {
    if (this.#played >= this.samples) return false;
    dst.fill(0);
    this.#played += dst.length;
    return true;
  }

  /** Samples written so far. */
  get played(): number {
    return this.#played;
  }

  reset(): void {
    this.#played = 0;
  }

  describe(): string {
    return this.samples === Infinity ? 'silence' : `silence(${(this.samples / PCM8K_RATE).toFixed(2)}s)`;
  }
}

/**
 * Plays a decoded {@link Pcm8k} (a WAV, an MP3, a TTS prompt) frame by frame,
 * `loop` times over (0 = until stopped, like `<Play loop="0">`). Loops join
 * seamlessly: a frame that reaches the end of the buffer continues from its
 * start. The buffer is shared, never copied, so one cached prompt can play on
 * many calls at once, each through its own `PcmSource`.
 */
import { type Pcm8k, PCM8K_RATE } from '../audio/pcm.js';
import type { AudioSource } from './audio-source.js';

export interface PcmSourceOptions {
  /** Times to play the buffer; 0 = forever (default 1). */
  loop?: number;
  /** Names the audio in `describe()` (a URL, a file name, "say:kal"). */
  label?: string;
}

export class PcmSource implements AudioSource {
  readonly pcm: Pcm8k;
  /** Times to play; 0 = forever. */
  readonly loop: number;
  readonly label: string;
  #position = 0;
  /** Completed passes over the buffer. */
  #passes = 0;

  constructor(pcm: Pcm8k, options: PcmSourceOptions = {}) {
    const loop = options.loop ?? 1;
    if (!Number.isInteger(loop) || loop < 0) throw new RangeError(`loop ${loop} is not a whole number ≥ 0`);
    this.pcm = pcm;
    this.loop = loop;
    this.label = options.label ?? 'pcm';
  }

  /** True once every pass has been played (never for loop 0 with audio). */
  get finished(): boolean {
    return this.pcm.length === 0 || (this.loop !== 0 && this.#passes >= this.loop);
  }

  /** Sample position within the buffer. */
  get position(): number {
    return this.#position;
  }

  /** Passes completed so far. */
  get passes(): number {
    return this.#passes;
  }

  read(dst: Int16Array): boolean {
    if (this.finished) return false;
    const pcm = this.pcm;
    const length = pcm.length;
    let written = 0;
    let position = this.#position;
    while (written < dst.length) {
      const take = Math.min(dst.length - written, length - position);
      // An index loop rather than dst.set(pcm.subarray(…)): subarray would allocate a view per frame.
      for (let i = 0; i < take; i++) dst[written + i] = pcm[position + i]!;
      written += take;
      position += take;
      if (position === length) {
        position = 0;
        this.#passes++;
        if (this.loop !== 0 && this.#passes >= this.loop) break;
      }
    }
    if (written < dst.length) dst.fill(0, written);
    this.#position = position;
    return true;
  }

  /** Starts again from the first pass. */
  reset(): void {
    this.#position = 0;
    this.#passes = 0;
  }

  describe(): string {
    const seconds = (this.pcm.length / PCM8K_RATE).toFixed(2);
    const loops = this.loop === 0 ? 'loop ∞' : `loop ${Math.min(this.#passes + 1, this.loop)}/${this.loop}`;
    return `pcm(${this.label} ${seconds}s, ${loops})`;
  }
}

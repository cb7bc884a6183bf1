/**
 * Cooperative scheduling for long decodes. Decoding a ten-minute MP3 or
 * resampling a long 44.1 kHz WAV takes hundreds of milliseconds; the thread
 * that does it may also be ticking RTP every 20 ms. Decoders therefore work in
 * slices and hand the event loop back between them through a {@link Yielder}.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Options every decoder takes. */
export interface DecodeOptions {
  /** Speex resampler quality, 0–10 (see `resample.ts`). */
  quality?: number;
  /** Aborts the decode between slices (rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Longest stretch of work between two yields to the event loop, ms (default 4). */
  sliceMs?: number;
}

/** Default work slice between yields, ms. */
export const DEFAULT_SLICE_MS = 4;

/** Yields to the event loop once `sliceMs` of work has passed since the last yield. */
export class Yielder {
  readonly #sliceMs: number;
  readonly #signal: AbortSignal | undefined;
  #since = performance.now();
  /** Times the work yielded (for tests). */
  yields = 0;

  constructor(options: DecodeOptions = {}) {
    this.#sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
    this.#signal = options.signal;
    this.#signal?.throwIfAborted();
  }

  /** Resolves at once while the slice lasts; otherwise after one turn of the event loop. */
  async maybeYield(): Promise<void> {
    if (performance.now() - this.#since < this.#sliceMs) return;
    this.yields++;
    await nextTurn();
    this.#signal?.throwIfAborted();
    this.#since = performance.now();
  }
}

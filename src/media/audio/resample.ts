/**
 * Conversion of decoded audio at any rate and channel count to {@link Pcm8k},
 * through the SpeexDSP resampler compiled to WebAssembly
 * (`@echogarden/speex-resampler-wasm`).
 *
 * The WebAssembly module is instantiated once per thread, on first use
 * ({@link loadResampler}), and shared by every conversion. A conversion is a
 * {@link Pcm8kConverter}: feed it blocks of channel data as a decoder produces
 * them (channels are averaged to mono first, then resampled), then `finish()`
 * it. Each converter owns its resampler state and two small heap buffers, so
 * several can run interleaved.
 *
 * The resampler's delay is removed: the first output sample lines up with the
 * first input sample, and the output holds exactly
 * `round(inputSamples × 8000 / inputRate)` samples.
 */
import type { SpeexResamplerModule } from '@echogarden/speex-resampler-wasm';
import { type Pcm8k, PCM8K_RATE, floatToInt16 } from './pcm.js';

/** Speex quality (0 = fastest … 10 = best) used when none is given. */
export const DEFAULT_RESAMPLE_QUALITY = 6;

/** Input samples handed to the resampler per call; bounds the heap buffers. */
const BLOCK = 8192;

export interface ResampleOptions {
  /** Speex quality, 0 (fastest) to 10 (best); default {@link DEFAULT_RESAMPLE_QUALITY}. */
  quality?: number;
}

let modulePromise: Promise<SpeexResamplerModule> | undefined;

/**
 * Instantiates the WebAssembly resampler for this thread (once; later calls
 * return the same promise). Conversions call it themselves; call it early to
 * take the few milliseconds of start-up off the first prompt.
 */
export function loadResampler(): Promise<SpeexResamplerModule> {
  if (modulePromise === undefined) {
    modulePromise = import('@echogarden/speex-resampler-wasm/simd')
      .then((m) => m.default())
      .catch((error: unknown) => {
        modulePromise = undefined;
        throw error;
      });
  }
  return modulePromise;
}

function checkQuality(quality: number): number {
  if (!Number.isInteger(quality) || quality < 0 || quality > 10) {
    throw new RangeError(`resampler quality ${quality} outside 0..10`);
  }
  return quality;
}

function checkRate(rate: number): void {
  if (!Number.isInteger(rate) || rate < 1000 || rate > 768000) {
    throw new RangeError(`sample rate ${rate} Hz outside 1000..768000`);
  }
}

/**
 * Accumulates 8 kHz mono output from blocks of input at `inputRate`.
 * Create with {@link createPcm8kConverter}.
 */
export class Pcm8kConverter {
  readonly inputRate: number;
  readonly quality: number;
  readonly #speex: SpeexResamplerModule | undefined;
  #state = 0;
  #inPtr = 0;
  #outPtr = 0;
  #lenPtr = 0;
  readonly #outCapacity: number;
  /** Mono scratch for downmixing, `BLOCK` samples. */
  readonly #mono = new Float32Array(BLOCK);
  readonly #chunks: Int16Array[] = [];
  #inputSamples = 0;
  #outputSamples = 0;
  #finished = false;

  /** @internal use {@link createPcm8kConverter}. */
  constructor(speex: SpeexResamplerModule | undefined, inputRate: number, quality: number) {
    this.inputRate = inputRate;
    this.quality = quality;
    this.#outCapacity = Math.ceil((BLOCK * PCM8K_RATE) / inputRate) + 64;
    if (speex === undefined) {
      this.#speex = undefined;
      return;
    }
    this.#speex = speex;
    this.#lenPtr = speex._malloc(8);
    const state = speex._speex_resampler_init(1, inputRate, PCM8K_RATE, quality, this.#lenPtr);
    if (state === 0) {
      const err = speex.HEAP32[this.#lenPtr >> 2];
      speex._free(this.#lenPtr);
      throw new Error(`speex_resampler_init(${inputRate} → ${PCM8K_RATE}, q${quality}) failed: error ${err}`);
    }
    this.#state = state;
    speex._speex_resampler_skip_zeros(state);
    this.#inPtr = speex._malloc(BLOCK * 4);
    this.#outPtr = speex._malloc(this.#outCapacity * 4);
  }

  /** Input samples (per channel) consumed so far. */
  get inputSamples(): number {
    return this.#inputSamples;
  }

  /**
   * Feeds `length` samples of each channel from `offset` (default: all). Channels
   * are averaged to mono. All channels must hold at least `offset + length` samples.
   */
  push(channels: readonly Float32Array[], offset = 0, length?: number): void {
    if (this.#finished) throw new Error('Pcm8kConverter: push after finish');
    if (channels.length === 0) throw new RangeError('Pcm8kConverter: no channels');
    const total = length ?? channels[0]!.length - offset;
    for (const c of channels) {
      if (c.length < offset + total) throw new RangeError('Pcm8kConverter: channels differ in length');
    }
    const mono = this.#mono;
    const n = channels.length;
    for (let done = 0; done < total; ) {
      const count = Math.min(BLOCK, total - done);
      const start = offset + done;
      if (n === 1) {
        mono.set(channels[0]!.subarray(start, start + count));
      } else {
        const scale = 1 / n;
        for (let i = 0; i < count; i++) {
          let sum = 0;
          for (let c = 0; c < n; c++) sum += channels[c]![start + i]!;
          mono[i] = sum * scale;
        }
      }
      this.#feed(mono, count);
      done += count;
    }
  }

  /** Feeds `count` mono samples from the start of `mono`. */
  pushMono(mono: Float32Array): void {
    this.push([mono]);
  }

  #feed(mono: Float32Array, count: number): void {
    this.#inputSamples += count;
    const speex = this.#speex;
    if (speex === undefined) {
      const out = new Int16Array(count);
      floatToInt16(mono, out, 0, count);
      this.#append(out);
      return;
    }
    speex.HEAPF32.set(mono.subarray(0, count), this.#inPtr >> 2);
    this.#process(speex, count);
  }

  /** Runs the resampler over `count` samples already in the input buffer. */
  #process(speex: SpeexResamplerModule, count: number): void {
    let inOffset = 0;
    while (inOffset < count) {
      const lenIndex = this.#lenPtr >> 2;
      speex.HEAPU32[lenIndex] = count - inOffset;
      speex.HEAPU32[lenIndex + 1] = this.#outCapacity;
      const err = speex._speex_resampler_process_float(
        this.#state,
        0,
        this.#inPtr + inOffset * 4,
        this.#lenPtr,
        this.#outPtr,
        this.#lenPtr + 4,
      );
      if (err !== 0) throw new Error(`speex_resampler_process_float failed: error ${err}`);
      const consumed = speex.HEAPU32[lenIndex]!;
      const produced = speex.HEAPU32[lenIndex + 1]!;
      if (produced > 0) {
        const out = new Int16Array(produced);
        const start = this.#outPtr >> 2;
        floatToInt16(speex.HEAPF32.subarray(start, start + produced), out);
        this.#append(out);
      }
      if (consumed === 0 && produced === 0) break; // cannot happen with a sane state; never spin
      inOffset += consumed;
    }
  }

  #append(out: Int16Array): void {
    this.#chunks.push(out);
    this.#outputSamples += out.length;
  }

  /**
   * Flushes the resampler's delay line and returns all the output as one
   * buffer of `round(inputSamples × 8000 / inputRate)` samples. Frees the
   * converter's WebAssembly memory; the converter cannot be used afterwards.
   */
  finish(): Pcm8k {
    if (this.#finished) throw new Error('Pcm8kConverter: finish called twice');
    const expected = Math.round((this.#inputSamples * PCM8K_RATE) / this.inputRate);
    const speex = this.#speex;
    if (speex !== undefined) {
      // Push zeros through until the tail of the real input has come out.
      const latency = speex._speex_resampler_get_input_latency(this.#state);
      let zeros = latency + 1;
      speex.HEAPF32.fill(0, this.#inPtr >> 2, (this.#inPtr >> 2) + BLOCK);
      while (this.#outputSamples < expected && zeros > 0) {
        const count = Math.min(BLOCK, zeros);
        this.#process(speex, count);
        zeros -= count;
      }
    }
    this.destroy();
    this.#finished = true;
    const out = new Int16Array(expected);
    let offset = 0;
    for (const chunk of this.#chunks) {
      if (offset >= expected) break;
      const take = Math.min(chunk.length, expected - offset);
      out.set(take === chunk.length ? chunk : chunk.subarray(0, take), offset);
      offset += take;
    }
    this.#chunks.length = 0;
    return out;
  }

  /** Frees the WebAssembly state without producing output (idempotent). */
  destroy(): void {
    const speex = this.#speex;
    if (speex === undefined || this.#state === 0) return;
    speex._speex_resampler_destroy(this.#state);
    speex._free(this.#inPtr);
    speex._free(this.#outPtr);
    speex._free(this.#lenPtr);
    this.#state = 0;
  }
}

/**
 * A converter from `inputRate` to 8 kHz mono. At 8 kHz input no resampler is
 * created (the samples are only downmixed and converted).
 */
export async function createPcm8kConverter(inputRate: number, options: ResampleOptions = {}): Promise<Pcm8kConverter> {
  checkRate(inputRate);
  const quality = checkQuality(options.quality ?? DEFAULT_RESAMPLE_QUALITY);
  if (inputRate === PCM8K_RATE) return new Pcm8kConverter(undefined, inputRate, quality);
  const speex = await loadResampler();
  return new Pcm8kConverter(speex, inputRate, quality);
}

/** Converts whole channel buffers at `sampleRate` to {@link Pcm8k} in one go. */
export async function toPcm8k(
  channels: readonly Float32Array[],
  sampleRate: number,
  options: ResampleOptions = {},
): Promise<Pcm8k> {
  const converter = await createPcm8kConverter(sampleRate, options);
  try {
    converter.push(channels);
    return converter.finish();
  } finally {
    converter.destroy();
  }
}

/** Converts 16-bit mono PCM at `sampleRate` to {@link Pcm8k} (a copy when already 8 kHz). */
export async function int16ToPcm8k(samples: Int16Array, sampleRate: number, options: ResampleOptions = {}): Promise<Pcm8k> {
  if (sampleRate === PCM8K_RATE) return samples.slice();
  const converter = await createPcm8kConverter(sampleRate, options);
  try {
    const block = new Float32Array(Math.min(BLOCK, samples.length));
    for (let offset = 0; offset < samples.length; offset += block.length) {
      const count = Math.min(block.length, samples.length - offset);
      for (let i = 0; i < count; i++) block[i] = samples[offset + i]! / 32768;
      converter.push([block], 0, count);
    }
    return converter.finish();
  } finally {
    converter.destroy();
  }
}

/**
 * Noise suppression of 8 kHz call audio with RNNoise (`@echogarden/rnnoise-wasm`),
 * for `<Denoise>` and `<Start><Suppression>`.
 *
 * RNNoise works on 480-sample frames at 48 kHz, so each 20 ms tick of 160
 * samples goes up ×6 through the SpeexDSP resampler (`resample.ts` loads it),
 * through two RNNoise frames, and down ×6 again. Both WebAssembly modules are
 * instantiated once per thread ({@link loadDenoiser}); each {@link Denoiser}
 * owns its RNNoise state, two resampler states and heap buffers made when it
 * is created, so {@link Denoiser.process} allocates nothing of its own (the
 * two RNNoise calls of a tick each box their float result at the WebAssembly
 * boundary: 32 bytes a tick, measured in the unit test). The output lags
 * the input by a fixed delay (the resampler filters and RNNoise's window,
 * about 15 ms), filled with silence at the start.
 */
import type { RnnoiseModule } from '@echogarden/rnnoise-wasm';
import type { SpeexResamplerModule } from '@echogarden/speex-resampler-wasm';
import { FRAME_SAMPLES, PCM8K_RATE } from './pcm.js';
import { loadResampler } from './resample.js';

const RATE_48K = 48_000;
const UP = RATE_48K / PCM8K_RATE;
/** RNNoise's frame: 10 ms at 48 kHz. */
const RNN_FRAME = 480;
/** Speex quality of the ×6 resamplers: enough for a 4 kHz band, cheap. */
const RESAMPLE_QUALITY = 5;
/** Room in the 48 kHz and 8 kHz FIFOs beyond one tick (resampler output varies by a few samples). */
const SLACK = 64;

let rnnoisePromise: Promise<RnnoiseModule> | undefined;

function loadRnnoise(): Promise<RnnoiseModule> {
  if (rnnoisePromise === undefined) {
    rnnoisePromise = import('@echogarden/rnnoise-wasm')
      .then((m) => m.default())
      .catch((error: unknown) => {
        rnnoisePromise = undefined;
        throw error;
      });
  }
  return rnnoisePromise;
}

/**
 * Instantiates RNNoise and the resampler for this thread (once; later calls
 * return the same modules).
 */
export async function loadDenoiser(): Promise<{ rnnoise: RnnoiseModule; speex: SpeexResamplerModule }> {
  const [rnnoise, speex] = await Promise.all([loadRnnoise(), loadResampler()]);
  return { rnnoise, speex };
}

function createResampler(speex: SpeexResamplerModule, inRate: number, outRate: number, errPtr: number): number {
  const state = speex._speex_resampler_init(1, inRate, outRate, RESAMPLE_QUALITY, errPtr);
  if (state === 0) throw new Error(`speex_resampler_init(${inRate} → ${outRate}) failed: error ${speex.HEAP32[errPtr >> 2]}`);
  return state;
}

/** Denoises one stream of 8 kHz audio, 20 ms at a time. Create with {@link createDenoiser}. */
export class Denoiser {
  readonly #rnnoise: RnnoiseModule;
  readonly #speex: SpeexResamplerModule;
  #rnnState = 0;
  #upState = 0;
  #downState = 0;
  // Speex heap: the 8 kHz input, the 48 kHz output of the upsampler, the
  // 48 kHz input of the downsampler, its 8 kHz output, and the two lengths.
  readonly #in8Ptr: number;
  readonly #up48Ptr: number;
  readonly #down48Ptr: number;
  readonly #out8Ptr: number;
  readonly #lenPtr: number;
  // RNNoise heap: one frame in, one out.
  readonly #rnnInPtr: number;
  readonly #rnnOutPtr: number;
  /** 48 kHz samples waiting for a whole RNNoise frame. */
  readonly #fifo48 = new Float32Array(FRAME_SAMPLES * UP + RNN_FRAME + SLACK);
  #fill48 = 0;
  /** Denoised 8 kHz samples waiting to go out. */
  readonly #fifo8 = new Float32Array(FRAME_SAMPLES * 2 + SLACK);
  #fill8 = 0;
  #voice = 0;
  #destroyed = false;

  /** @internal use {@link createDenoiser}. */
  constructor(rnnoise: RnnoiseModule, speex: SpeexResamplerModule) {
    this.#rnnoise = rnnoise;
    this.#speex = speex;
    this.#lenPtr = speex._malloc(8);
    this.#in8Ptr = speex._malloc(FRAME_SAMPLES * 4);
    this.#up48Ptr = speex._malloc((FRAME_SAMPLES * UP + SLACK) * 4);
    this.#down48Ptr = speex._malloc((FRAME_SAMPLES * UP + RNN_FRAME) * 4);
    this.#out8Ptr = speex._malloc((FRAME_SAMPLES * 2 + SLACK) * 4);
    this.#rnnInPtr = rnnoise._malloc(RNN_FRAME * 4);
    this.#rnnOutPtr = rnnoise._malloc(RNN_FRAME * 4);
    try {
      this.#upState = createResampler(speex, PCM8K_RATE, RATE_48K, this.#lenPtr);
      this.#downState = createResampler(speex, RATE_48K, PCM8K_RATE, this.#lenPtr);
      this.#rnnState = rnnoise._rnnoise_create(0);
      if (this.#rnnState === 0) throw new Error('rnnoise_create failed');
    } catch (error) {
      this.destroy();
      throw error;
    }
  }

  /** RNNoise's voice probability (0–1) of the last frame it processed. */
  get voiceProbability(): number {
    return this.#voice;
  }

  /** Replaces the 160 samples of `pcm` with their denoised version (delayed; see the module comment). */
  process(pcm: Int16Array): void {
    if (this.#destroyed) throw new Error('Denoiser: process after destroy');
    const speex = this.#speex;
    // Up: 8 kHz → 48 kHz. RNNoise takes 16-bit-scaled floats, and so does the resampler.
    let heap = speex.HEAPF32;
    const in8 = this.#in8Ptr >> 2;
    for (let i = 0; i < FRAME_SAMPLES; i++) heap[in8 + i] = pcm[i]!;
    const produced48 = this.#resample(this.#upState, this.#in8Ptr, FRAME_SAMPLES, this.#up48Ptr, FRAME_SAMPLES * UP + SLACK);
    heap = speex.HEAPF32;
    const fifo48 = this.#fifo48;
    const up48 = this.#up48Ptr >> 2;
    const room48 = fifo48.length - this.#fill48;
    const take48 = produced48 < room48 ? produced48 : room48;
    for (let i = 0; i < take48; i++) fifo48[this.#fill48 + i] = heap[up48 + i]!;
    this.#fill48 += take48;

    // RNNoise on every whole frame, straight into the downsampler's input.
    const rnnoise = this.#rnnoise;
    let denoised48 = 0;
    let used48 = 0;
    while (this.#fill48 - used48 >= RNN_FRAME) {
      let rheap = rnnoise.HEAPF32;
      const rin = this.#rnnInPtr >> 2;
      for (let i = 0; i < RNN_FRAME; i++) rheap[rin + i] = fifo48[used48 + i]!;
      this.#voice = rnnoise._rnnoise_process_frame(this.#rnnState, this.#rnnOutPtr, this.#rnnInPtr);
      rheap = rnnoise.HEAPF32;
      heap = speex.HEAPF32;
      const rout = this.#rnnOutPtr >> 2;
      const down48 = (this.#down48Ptr >> 2) + denoised48;
      for (let i = 0; i < RNN_FRAME; i++) heap[down48 + i] = rheap[rout + i]!;
      denoised48 += RNN_FRAME;
      used48 += RNN_FRAME;
    }
    if (used48 > 0) {
      const left48 = this.#fill48 - used48;
      for (let i = 0; i < left48; i++) fifo48[i] = fifo48[used48 + i]!;
      this.#fill48 = left48;
    }

    // Down: 48 kHz → 8 kHz, into the output FIFO.
    const fifo8 = this.#fifo8;
    if (denoised48 > 0) {
      const produced8 = this.#resample(this.#downState, this.#down48Ptr, denoised48, this.#out8Ptr, FRAME_SAMPLES * 2 + SLACK);
      heap = speex.HEAPF32;
      const out8 = this.#out8Ptr >> 2;
      const room8 = fifo8.length - this.#fill8;
      const take8 = produced8 < room8 ? produced8 : room8;
      for (let i = 0; i < take8; i++) fifo8[this.#fill8 + i] = heap[out8 + i]!;
      this.#fill8 += take8;
    }

    // Out: 160 samples; while the pipeline fills, the missing start is silence.
    const have = this.#fill8 < FRAME_SAMPLES ? this.#fill8 : FRAME_SAMPLES;
    const pad = FRAME_SAMPLES - have;
    for (let i = 0; i < pad; i++) pcm[i] = 0;
    for (let i = 0; i < have; i++) {
      const v = Math.round(fifo8[i]!);
      pcm[pad + i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    }
    const left8 = this.#fill8 - have;
    for (let i = 0; i < left8; i++) fifo8[i] = fifo8[have + i]!;
    this.#fill8 = left8;
  }

  /** Runs one resampler over `count` samples; returns the samples it produced. */
  #resample(state: number, inPtr: number, count: number, outPtr: number, capacity: number): number {
    const speex = this.#speex;
    const len = this.#lenPtr >> 2;
    speex.HEAPU32[len] = count;
    speex.HEAPU32[len + 1] = capacity;
    const err = speex._speex_resampler_process_float(state, 0, inPtr, this.#lenPtr, outPtr, this.#lenPtr + 4);
    if (err !== 0) throw new Error(`speex_resampler_process_float failed: error ${err}`);
    return speex.HEAPU32[len + 1]!;
  }

  /** Frees the WebAssembly state and buffers (idempotent). */
  destroy(): void {
    const speex = this.#speex;
    const rnnoise = this.#rnnoise;
    if (this.#destroyed) return;
    this.#destroyed = true;
    if (this.#rnnState !== 0) rnnoise._rnnoise_destroy(this.#rnnState);
    if (this.#upState !== 0) speex._speex_resampler_destroy(this.#upState);
    if (this.#downState !== 0) speex._speex_resampler_destroy(this.#downState);
    this.#rnnState = 0;
    this.#upState = 0;
    this.#downState = 0;
    for (const ptr of [this.#lenPtr, this.#in8Ptr, this.#up48Ptr, this.#down48Ptr, this.#out8Ptr]) speex._free(ptr);
    rnnoise._free(this.#rnnInPtr);
    rnnoise._free(this.#rnnOutPtr);
  }
}

/** A denoiser for one stream of 8 kHz audio (loads the WebAssembly modules on first use). */
export async function createDenoiser(): Promise<Denoiser> {
  const { rnnoise, speex } = await loadDenoiser();
  return new Denoiser(rnnoise, speex);
}

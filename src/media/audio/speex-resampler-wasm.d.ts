/**
 * Types for the parts of `@echogarden/speex-resampler-wasm` (an Emscripten
 * build of the SpeexDSP resampler, shipped without typings) that
 * `resample.ts` uses. Pointers are byte offsets into the module's heap.
 */
declare module '@echogarden/speex-resampler-wasm' {
  export interface SpeexResamplerModule {
    /** `speex_resampler_init(nb_channels, in_rate, out_rate, quality, int *err)`: a state pointer, 0 on failure. */
    _speex_resampler_init(channels: number, inRate: number, outRate: number, quality: number, errPtr: number): number;
    /** `speex_resampler_process_float(st, channel, const float *in, uint32 *in_len, float *out, uint32 *out_len)`. */
    _speex_resampler_process_float(
      state: number,
      channel: number,
      inPtr: number,
      inLenPtr: number,
      outPtr: number,
      outLenPtr: number,
    ): number;
    _speex_resampler_get_input_latency(state: number): number;
    _speex_resampler_get_output_latency(state: number): number;
    _speex_resampler_skip_zeros(state: number): number;
    _speex_resampler_reset_mem(state: number): number;
    _speex_resampler_destroy(state: number): void;
    _malloc(bytes: number): number;
    _free(ptr: number): void;
    /** Views of the heap; replaced when memory grows, so read them after any `_malloc`. */
    readonly HEAPF32: Float32Array;
    readonly HEAPU32: Uint32Array;
    readonly HEAP32: Int32Array;
  }
  const createModule: (moduleArg?: Record<string, unknown>) => Promise<SpeexResamplerModule>;
  export default createModule;
}

declare module '@echogarden/speex-resampler-wasm/simd' {
  import type { SpeexResamplerModule } from '@echogarden/speex-resampler-wasm';
  const createModule: (moduleArg?: Record<string, unknown>) => Promise<SpeexResamplerModule>;
  export default createModule;
}

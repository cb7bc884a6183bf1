/**
 * Types for the parts of `@echogarden/rnnoise-wasm` (an Emscripten build of
 * RNNoise, shipped without typings) that `denoise.ts` uses. Pointers are byte
 * offsets into the module's heap.
 */
declare module '@echogarden/rnnoise-wasm' {
  export interface RnnoiseModule {
    /** `rnnoise_create(RNNModel *model)`: a state pointer (model 0: the built-in one). */
    _rnnoise_create(model: number): number;
    _rnnoise_destroy(state: number): void;
    /** Samples per frame: 480 (10 ms at 48 kHz). */
    _rnnoise_get_frame_size(): number;
    /**
     * `rnnoise_process_frame(st, float *out, const float *in)`: denoises one frame of
     * 16-bit-scaled floats; returns the frame's voice probability (0–1).
     */
    _rnnoise_process_frame(state: number, out: number, input: number): number;
    _malloc(bytes: number): number;
    _free(ptr: number): void;
    /** Replaced when memory grows, so read it after any `_malloc`. */
    readonly HEAPF32: Float32Array;
  }
  const createModule: (moduleArg?: Record<string, unknown>) => Promise<RnnoiseModule>;
  export default createModule;
}

/**
 * Messages between `flite.ts` (the caller's thread) and `flite-worker.ts`.
 * Audio crosses as a transferred ArrayBuffer.
 */

export interface FliteWorkerData {
  /** flite.wasm on disk. */
  readonly wasmPath: string;
}

export interface FliteSynthesizeRequest {
  readonly type: 'synthesize';
  readonly id: number;
  readonly text: string;
  readonly voice: string;
  /** Resampler quality for the conversion to 8 kHz. */
  readonly quality: number;
}

export type FliteWorkerMessage =
  | { readonly type: 'ready'; readonly compileMs: number }
  | {
      readonly type: 'result';
      readonly id: number;
      /** 8 kHz mono samples. */
      readonly samples: Int16Array;
      /** Flite's own output rate for the voice, Hz. */
      readonly nativeRate: number;
      /** Time the worker spent on the request (instantiate, synthesize, resample), ms. */
      readonly busyMs: number;
    }
  | { readonly type: 'error'; readonly id: number; readonly message: string };

/**
 * The in-memory form every audio source decodes to: 8 kHz mono 16-bit linear
 * PCM in an Int16Array. A WAV at 44.1 kHz stereo, an MP3 and a TTS prompt all
 * end up as a `Pcm8k`, which the sources in `media/source/` play 160 samples
 * (20 ms) at a time.
 */

/** 8 kHz mono signed 16-bit samples. */
export type Pcm8k = Int16Array;

/** Sample rate of a {@link Pcm8k}, Hz. */
export const PCM8K_RATE = 8000;
/** Samples in one 20 ms frame at 8 kHz. */
export const FRAME_SAMPLES = 160;
/** Duration of one frame, ms. */
export const FRAME_MS = 20;

/** Duration of `pcm` in milliseconds (fractional). */
export function pcmDurationMs(pcm: Pcm8k): number {
  return (pcm.length * 1000) / PCM8K_RATE;
}

/** Samples in `ms` milliseconds at 8 kHz, rounded to the nearest sample. */
export function samplesForMs(ms: number): number {
  return Math.round((ms * PCM8K_RATE) / 1000);
}

/** `ms` milliseconds of digital silence. */
export function silencePcm(ms: number): Pcm8k {
  return new Int16Array(samplesForMs(ms));
}

/**
 * `pcm` in shared memory (a copy, unless it already is). The caches keep
 * their audio this way so the media worker can play a prompt in place: a
 * SharedArrayBuffer crosses to a worker thread without being copied or
 * detached. Treat shared PCM as read-only.
 */
export function sharePcm(pcm: Pcm8k): Pcm8k {
  if (pcm.buffer instanceof SharedArrayBuffer) return pcm;
  const shared = new Int16Array(new SharedArrayBuffer(pcm.byteLength));
  shared.set(pcm);
  return shared;
}

/** Concatenates PCM buffers into a new one. */
export function concatPcm(parts: readonly Pcm8k[]): Pcm8k {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Int16Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Number of 160-sample frames `pcm` spans (the last one may be partial). */
export function frameCount(pcm: Pcm8k): number {
  return Math.ceil(pcm.length / FRAME_SAMPLES);
}

/**
 * Frame `index` of `pcm` as a view (no copy). The last frame is shorter than
 * 160 samples when the length is not a multiple of 160.
 */
export function frameAt(pcm: Pcm8k, index: number): Int16Array {
  const start = index * FRAME_SAMPLES;
  if (!Number.isInteger(index) || index < 0 || start >= pcm.length) {
    throw new RangeError(`frame ${index} outside 0..${frameCount(pcm) - 1}`);
  }
  return pcm.subarray(start, Math.min(start + FRAME_SAMPLES, pcm.length));
}

/** The frames of `pcm` as views into it, in order (no copies). */
export function* frames(pcm: Pcm8k): Generator<Int16Array, void, undefined> {
  for (let start = 0; start < pcm.length; start += FRAME_SAMPLES) {
    yield pcm.subarray(start, Math.min(start + FRAME_SAMPLES, pcm.length));
  }
}

/**
 * Converts float samples (nominal range −1..1) to 16-bit, with rounding and
 * saturation, into `dst` at `dstOffset`.
 */
export function floatToInt16(src: Float32Array, dst: Int16Array, dstOffset = 0, length = src.length): void {
  if (dstOffset + length > dst.length) {
    throw new RangeError(`floatToInt16: destination holds ${dst.length}, needs ${dstOffset + length}`);
  }
  for (let i = 0; i < length; i++) {
    let v = Math.round(src[i]! * 32768);
    if (v > 32767) v = 32767;
    else if (v < -32768) v = -32768;
    dst[dstOffset + i] = v;
  }
}

/** Root-mean-square level of `pcm` on the 16-bit scale (0 for an empty buffer). */
export function pcmRms(pcm: Int16Array): number {
  if (pcm.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < pcm.length; i++) sum += pcm[i]! * pcm[i]!;
  return Math.sqrt(sum / pcm.length);
}

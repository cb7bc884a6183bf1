/**
 * Helpers for the media integration tests (not a test file): audio analysis of
 * captured PCM and waiting for typed events with a deadline.
 */
import { dbm0ToMeanSquare } from '../../../src/media/codec/level.js';
import type { TypedEmitter } from '../../../src/events/typed-emitter.js';

/**
 * Mean-square power of the component of `pcm` at `hz` (Goertzel over the
 * whole buffer): for a sine of amplitude A at that frequency, A²/2.
 */
export function powerAt(pcm: Int16Array, hz: number, sampleRate = 8000): number {
  const n = pcm.length;
  if (n === 0) return 0;
  const coeff = 2 * Math.cos((2 * Math.PI * hz) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const s0 = pcm[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return ((s1 * s1 + s2 * s2 - coeff * s1 * s2) * 2) / (n * n);
}

/** Mean square of `pcm`. */
export function meanSquare(pcm: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < pcm.length; i++) sum += pcm[i]! * pcm[i]!;
  return pcm.length === 0 ? 0 : sum / pcm.length;
}

/** Level of `pcm` in dB relative to a sine at `dbm0`. */
export function dbRelativeTo(power: number, dbm0: number): number {
  return 10 * Math.log10(power / dbm0ToMeanSquare(dbm0));
}

/** The part of `pcm` from the first to the last 20 ms frame louder than `threshold` (mean square). */
export function trimSilence(pcm: Int16Array, threshold = 1e4): Int16Array {
  const frames = Math.floor(pcm.length / 160);
  let first = -1;
  let last = -1;
  for (let f = 0; f < frames; f++) {
    if (meanSquare(pcm.subarray(f * 160, (f + 1) * 160)) > threshold) {
      if (first < 0) first = f;
      last = f;
    }
  }
  return first < 0 ? new Int16Array(0) : pcm.subarray(first * 160, (last + 1) * 160);
}

/**
 * The 20 ms frames of `pcm` louder than `threshold` (mean square), joined:
 * the tone without the silence around it or the gaps a starved machine
 * leaves in it.
 */
export function loudFrames(pcm: Int16Array, threshold = 1e4): Int16Array {
  const frames: Int16Array[] = [];
  for (let f = 0; f + 160 <= pcm.length; f += 160) {
    const frame = pcm.subarray(f, f + 160);
    if (meanSquare(frame) > threshold) frames.push(frame);
  }
  const out = new Int16Array(frames.length * 160);
  frames.forEach((frame, i) => out.set(frame, i * 160));
  return out;
}

/** Polls `condition` every 10 ms until it holds; rejects after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await delay(10);
  }
}

/** Resolves with the arguments of the next `event` matching `accept`, or rejects after `timeoutMs`. */
export function nextEvent<E extends Record<keyof E, unknown[]>, K extends keyof E>(
  emitter: TypedEmitter<E>,
  event: K,
  timeoutMs = 3000,
  accept: (...args: E[K]) => boolean = () => true,
): Promise<E[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`no ${String(event)} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (...args: E[K]): void => {
      if (!accept(...args)) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(args);
    };
    emitter.on(event, listener);
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

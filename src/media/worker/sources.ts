/**
 * The sources a `play` command can name, built in the worker from their
 * wire description: a tone, PCM handed over by the main thread, silence.
 * Each plays `loop` times (0: until stopped) and writes 160-sample frames.
 */
import { ToneGenerator } from '../source/tone.js';
import { type AudioSource, SOURCE_FRAME_SAMPLES } from '../source/types.js';
import type { PcmSpec, PlaySource, SilenceSpec, ToneSpec } from '../protocol.js';
import { invalid } from './command-error.js';

const FRAME = SOURCE_FRAME_SAMPLES;
const RATE = 8000;

function loopLabel(loop: number): string {
  return loop === 1 ? '' : loop === 0 ? ' x∞' : ` x${loop}`;
}

/** A tone, for `durationMs` per loop or until stopped. */
export class ToneSource implements AudioSource {
  readonly #tone: ToneGenerator;
  readonly #samplesPerLoop: number; // 0: endless
  readonly #loops: number; // 0: endless
  #left: number;
  #loopsDone = 0;

  constructor(spec: ToneSpec, loop: number) {
    this.#tone = new ToneGenerator({
      frequencies: spec.frequencies,
      ...(spec.levelDbm0 === undefined ? {} : { levelDbm0: spec.levelDbm0 }),
    });
    this.#samplesPerLoop = spec.durationMs === undefined ? 0 : Math.max(1, Math.round((spec.durationMs * RATE) / 1000));
    this.#loops = loop;
    this.#left = this.#samplesPerLoop;
  }

  read(dst: Int16Array): boolean {
    if (this.#samplesPerLoop === 0) {
      this.#tone.fill(dst, FRAME);
      return true;
    }
    if (this.#left === 0) {
      this.#loopsDone++;
      if (this.#loops !== 0 && this.#loopsDone >= this.#loops) return false;
      this.#left = this.#samplesPerLoop;
      this.#tone.reset();
    }
    const n = this.#left < FRAME ? this.#left : FRAME;
    this.#tone.fill(dst, n);
    if (n < FRAME) dst.fill(0, n, FRAME);
    this.#left -= n;
    return true;
  }

  describe(): string {
    const duration = this.#samplesPerLoop === 0 ? '' : ` ${(this.#samplesPerLoop / RATE).toFixed(2)}s`;
    return `${this.#tone.describe()}${duration}${loopLabel(this.#loops)}`;
  }
}

/** PCM samples, played `loop` times back to back (no gap between loops). */
export class PcmSource implements AudioSource {
  readonly #pcm: Int16Array;
  readonly #loops: number;
  #position = 0;
  #loopsDone = 0;

  constructor(pcm: Int16Array, loop: number) {
    this.#pcm = pcm;
    this.#loops = loop;
  }

  read(dst: Int16Array): boolean {
    const pcm = this.#pcm;
    if (pcm.length === 0) return false;
    let written = 0;
    while (written < FRAME) {
      if (this.#position >= pcm.length) {
        this.#loopsDone++;
        if (this.#loops !== 0 && this.#loopsDone >= this.#loops) break;
        this.#position = 0;
      }
      const n = Math.min(FRAME - written, pcm.length - this.#position);
      for (let i = 0; i < n; i++) dst[written + i] = pcm[this.#position + i]!;
      written += n;
      this.#position += n;
    }
    if (written === 0) return false;
    if (written < FRAME) dst.fill(0, written, FRAME);
    return true;
  }

  describe(): string {
    return `pcm(${(this.#pcm.length / RATE).toFixed(2)}s)${loopLabel(this.#loops)}`;
  }
}

/** Silence for `durationMs` per loop. */
export class SilenceSource implements AudioSource {
  readonly #frames: number;
  #left: number;

  constructor(spec: SilenceSpec, loop: number) {
    const perLoop = Math.max(1, Math.ceil((spec.durationMs * RATE) / 1000 / FRAME));
    this.#frames = loop === 0 ? Number.POSITIVE_INFINITY : perLoop * loop;
    this.#left = this.#frames;
  }

  read(dst: Int16Array): boolean {
    if (this.#left <= 0) return false;
    this.#left--;
    dst.fill(0, 0, FRAME);
    return true;
  }

  describe(): string {
    return `silence(${Number.isFinite(this.#frames) ? `${(this.#frames * FRAME) / RATE}s` : '∞'})`;
  }
}

function checkPcm(spec: PcmSpec): Int16Array {
  const { buffer, byteOffset, samples } = spec;
  if (!(buffer instanceof ArrayBuffer) && !(typeof SharedArrayBuffer !== 'undefined' && buffer instanceof SharedArrayBuffer)) {
    throw invalid('play: pcm.buffer must be an ArrayBuffer or SharedArrayBuffer');
  }
  if (!Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset % 2 !== 0) {
    throw invalid(`play: pcm.byteOffset ${byteOffset} must be a non-negative even integer`);
  }
  if (!Number.isInteger(samples) || samples < 0 || byteOffset + 2 * samples > buffer.byteLength) {
    throw invalid(`play: ${samples} samples at ${byteOffset} do not fit a buffer of ${buffer.byteLength} bytes`);
  }
  return new Int16Array(buffer, byteOffset, samples);
}

/** Builds the source a `play` command describes; throws `invalid-command` on a bad description. */
export function createSource(spec: PlaySource, loop: number): AudioSource {
  if (!Number.isInteger(loop) || loop < 0) throw invalid(`play: loop ${loop} must be a non-negative integer`);
  switch (spec.kind) {
    case 'tone': {
      const freqs = spec.frequencies;
      if (!Array.isArray(freqs) || freqs.length < 1 || freqs.length > 2) {
        throw invalid('play: a tone has one or two frequencies');
      }
      for (const f of freqs) {
        if (typeof f !== 'number' || !(f > 0 && f < RATE / 2)) throw invalid(`play: tone frequency ${f} outside (0, 4000) Hz`);
      }
      if (spec.durationMs !== undefined && !(spec.durationMs > 0)) throw invalid('play: tone durationMs must be positive');
      if (spec.levelDbm0 !== undefined && !(spec.levelDbm0 <= 3)) throw invalid('play: tone levelDbm0 must be at most 3');
      return new ToneSource(spec, loop);
    }
    case 'pcm':
      return new PcmSource(checkPcm(spec), loop);
    case 'silence':
      if (!(spec.durationMs > 0)) throw invalid('play: silence durationMs must be positive');
      return new SilenceSource(spec, loop);
    default:
      throw invalid(`play: unknown source kind ${JSON.stringify((spec as { kind?: unknown }).kind)}`);
  }
}

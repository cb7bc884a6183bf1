/**
 * An energy voice-activity detector for recordings: a 20 ms frame is voiced when its
 * mean power is above a fixed level (default −40 dBFS, well above a quiet line's noise
 * and below speech at phone levels). It is what `<Record>` uses to end on silence and
 * to trim leading and trailing silence. `@echogarden/fvad-wasm` (WebRTC VAD, named in
 * DESIGN.md and a dependency) was tried in its place and not kept: it calls a −46 dBFS
 * tone (line noise here) voiced, has no level to set, and holds "voiced" for ~160 ms
 * after the voice stops, which would cut recordings on silence that much later and
 * trim them that much longer. `push()` allocates nothing (it runs in the media tick).
 */

export interface VoiceActivityOptions {
  /** Frames whose RMS is above this level (dB below full scale) are voiced. Default −40. */
  readonly thresholdDbfs?: number;
}

const DEFAULT_VOICE_THRESHOLD_DBFS = -40;

export class EnergyVoiceActivity {
  /** Mean square (of 16-bit samples) above which a frame is voiced. */
  readonly #threshold: number;
  /** Frames seen. */
  frames = 0;
  voicedFrames = 0;
  /** Index of the first and last voiced frame; −1 while none was. */
  firstVoiced = -1;
  lastVoiced = -1;
  /** Unvoiced frames in a row up to now (from the start while nothing was voiced). */
  silentRun = 0;

  constructor(options: VoiceActivityOptions = {}) {
    const dbfs = options.thresholdDbfs ?? DEFAULT_VOICE_THRESHOLD_DBFS;
    if (!Number.isFinite(dbfs) || dbfs > 0) throw new RangeError(`voice threshold ${dbfs} dBFS is not a level at or below 0`);
    const rms = 32768 * 10 ** (dbfs / 20);
    this.#threshold = rms * rms;
  }

  /** Takes one frame; returns whether it is voiced. */
  push(frame: Int16Array): boolean {
    let sum = 0;
    const n = frame.length;
    for (let i = 0; i < n; i++) {
      const s = frame[i]!;
      sum += s * s;
    }
    const index = this.frames++;
    const voiced = n > 0 && sum / n > this.#threshold;
    if (voiced) {
      this.voicedFrames++;
      if (this.firstVoiced < 0) this.firstVoiced = index;
      this.lastVoiced = index;
      this.silentRun = 0;
    } else {
      this.silentRun++;
    }
    return voiced;
  }
}

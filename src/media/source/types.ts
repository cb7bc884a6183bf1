/**
 * What the media worker plays: anything that writes 20 ms frames of 8 kHz
 * mono 16-bit PCM on demand. The leg's tick calls {@link AudioSource.read}
 * once per frame from the worker's 20 ms schedule, so `read` must be cheap,
 * synchronous and allocation-free (decode ahead of time; see `media/audio/`).
 */

/** Samples in one frame handed to {@link AudioSource.read} (20 ms at 8 kHz). */
export const SOURCE_FRAME_SAMPLES = 160;

export interface AudioSource {
  /**
   * Writes the next frame into `dst` (160 samples) and returns true, or
   * returns false, leaving `dst` unspecified, once the source has ended. A
   * final partial frame is padded with silence and returns true.
   */
  read(dst: Int16Array): boolean;
  /** e.g. "tone(1000Hz,-10dBm0)" or "wav(prompt.wav, 3.2 s) x2", for logs. */
  describe(): string;
}

/**
 * 8 kHz to 16 kHz, for recognizers whose acoustic model is wideband (the Debian
 * pocketsphinx model is 16 kHz only). Telephone audio has nothing above 4 kHz, so the
 * new samples only have to interpolate without adding images above it: a half-band
 * windowed-sinc filter, 16 taps a new sample, is plenty.
 */

const SIDE = 8;

/** h[k] for the new sample between x[n] and x[n+1]: sinc at offsets ±(k + ½), Blackman-windowed. */
const TAPS: Float64Array = (() => {
  const taps = new Float64Array(SIDE);
  const width = 2 * SIDE;
  for (let k = 0; k < SIDE; k++) {
    const t = k + 0.5;
    const sinc = Math.sin(Math.PI * t) / (Math.PI * t);
    // The window spans the 2·SIDE input samples the new one depends on, and is not zero at either end.
    const w = (SIDE - k) / (width + 1);
    const blackman = 0.42 - 0.5 * Math.cos(2 * Math.PI * w) + 0.08 * Math.cos(4 * Math.PI * w);
    taps[k] = sinc * blackman;
  }
  // Unity gain at DC: the new samples of a constant signal equal it.
  let sum = 0;
  for (let k = 0; k < SIDE; k++) sum += 2 * taps[k]!;
  for (let k = 0; k < SIDE; k++) taps[k]! /= sum;
  return taps;
})();

/** Doubles the sample rate: every input sample is kept, one is interpolated after each. */
export function upsample2x(input: Int16Array): Int16Array {
  const n = input.length;
  const out = new Int16Array(2 * n);
  for (let i = 0; i < n; i++) {
    out[2 * i] = input[i]!;
    let acc = 0;
    for (let k = 0; k < SIDE; k++) {
      const before = i - k;
      const after = i + 1 + k;
      acc += TAPS[k]! * ((before >= 0 ? input[before]! : 0) + (after < n ? input[after]! : 0));
    }
    const v = Math.round(acc);
    out[2 * i + 1] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}

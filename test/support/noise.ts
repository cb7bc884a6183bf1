/**
 * Measures for the noise-suppression tests: the level of a test tone and of
 * the broadband noise around it, in dB, from Goertzel powers. Test support
 * only (not a .test.ts file).
 */
import { goertzel } from './audio.js';

/** Level of `frequency` over [from, to), dB (of Goertzel power). */
export function toneDb(pcm: Int16Array, frequency: number, from = 0, to = pcm.length): number {
  return 10 * Math.log10(goertzel(pcm, frequency, from, to) + 1e-9);
}

/**
 * Level of the noise over [from, to), dB: the summed Goertzel power at 1025,
 * 1075 … 3475 Hz, away from the test tone and its harmonics (a multiple of
 * 440 Hz never ends in 25 or 75).
 */
export function noiseDb(pcm: Int16Array, from = 0, to = pcm.length): number {
  let power = 0;
  for (let f = 1025; f < 3500; f += 50) power += goertzel(pcm, f, from, to);
  return 10 * Math.log10(power + 1e-9);
}

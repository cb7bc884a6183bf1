/**
 * Signal levels in dBm0 on 16-bit linear PCM.
 *
 * G.711 fixes the digital reference: a sine wave whose peaks reach the µ-law
 * overload point (8159 on its 14-bit scale, 32636 on the 16-bit one) is at
 * +3.17 dBm0. Levels below are relative to that, so 0 dBm0 is a sine of peak
 * ≈ 22,650 and RMS ≈ 16,020.
 */

/** Peak of a +3.17 dBm0 sine on the 16-bit scale. */
const OVERLOAD_PEAK = 8159 * 4;
const OVERLOAD_DBM0 = 3.17;

/** Peak amplitude (16-bit scale) of a sine at `dbm0`. */
export function dbm0ToPeak(dbm0: number): number {
  return OVERLOAD_PEAK * 10 ** ((dbm0 - OVERLOAD_DBM0) / 20);
}

/** Mean square (16-bit scale) of a sine at `dbm0`, i.e. peak² / 2. */
export function dbm0ToMeanSquare(dbm0: number): number {
  const peak = dbm0ToPeak(dbm0);
  return (peak * peak) / 2;
}

/** Level in dBm0 of a signal with the given mean square (-Infinity for silence). */
export function meanSquareToDbm0(meanSquare: number): number {
  return OVERLOAD_DBM0 + 10 * Math.log10((2 * meanSquare) / (OVERLOAD_PEAK * OVERLOAD_PEAK));
}

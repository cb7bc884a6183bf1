/**
 * A mean opinion score from packet loss and jitter: the ITU-T G.107 E-model,
 * reduced to what a G.711 leg can measure.
 *
 *   R = 93.2 − Id − Ie_eff
 *
 * - 93.2 is G.107's default R for a clean G.711 connection (R0 − Is with
 *   default parameters; the advantage factor A is 0).
 * - Id, the delay impairment, uses the common simplification of G.107's
 *   delay terms (Cole & Rosenbluth, 2001) on an effective one-way delay
 *   d = latency + 2·jitter + 10 ms (jitter counted twice for the jitter
 *   buffer, 10 ms for the codec):
 *     Id = 0.024·d + 0.11·(d − 177.3)·H(d − 177.3)
 * - Ie_eff, the equipment impairment under random loss (G.107 §3.4), with
 *   G.711's Ie = 0 and the packet-loss robustness factor Bpl of ITU-T G.113
 *   Appendix I: 25.1 with packet-loss concealment, 4.3 without:
 *     Ie_eff = Ie + (95 − Ie) · Ppl / (Ppl / BurstR + Bpl)
 *
 * R maps to MOS with G.107 Annex B: 1 below R = 0, 4.5 above R = 100, else
 *   MOS = 1 + 0.035·R + R·(R − 60)·(100 − R)·7·10⁻⁶
 * clamped to at least 1 (the cubic dips just under 1 for R below ~6.5).
 * A clean call scores ≈ 4.40.
 */

export interface MosInput {
  /** Packets lost, percent of those expected (0–100). */
  lossPercent: number;
  /** Interarrival jitter, ms. */
  jitterMs: number;
  /** Mean one-way network latency, ms (default 0: unknown; e.g. RTT / 2 from RTCP). */
  latencyMs?: number;
  /** Whether lost frames are concealed (default true: Bpl 25.1; false: Bpl 4.3). */
  concealment?: boolean;
  /** Burst ratio (default 1: random loss). */
  burstRatio?: number;
}

/** G.107 default transmission rating of a clean G.711 connection. */
export const R_G711 = 93.2;

/** Delay impairment Id for an effective one-way delay, ms. */
export function delayImpairment(delayMs: number): number {
  const d = Math.max(0, delayMs);
  return 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0);
}

/** Effective equipment impairment Ie_eff of G.711 at a loss percentage. */
export function lossImpairment(lossPercent: number, concealment = true, burstRatio = 1): number {
  const ppl = Math.min(100, Math.max(0, lossPercent));
  const bpl = concealment ? 25.1 : 4.3;
  const ie = 0;
  return ie + ((95 - ie) * ppl) / (ppl / Math.max(1, burstRatio) + bpl);
}

/** The transmission rating factor R. */
export function rFactor(input: MosInput): number {
  const latency = Math.max(0, input.latencyMs ?? 0);
  const jitter = Math.max(0, input.jitterMs);
  const delay = latency + 2 * jitter + 10;
  const ieEff = lossImpairment(input.lossPercent, input.concealment ?? true, input.burstRatio ?? 1);
  return R_G711 - delayImpairment(delay) - ieEff;
}

/** MOS (1–4.5) for an R factor (G.107 Annex B). */
export function mosFromR(r: number): number {
  if (!(r > 0)) return 1;
  if (r >= 100) return 4.5;
  const mos = 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
  return mos < 1 ? 1 : mos;
}

/** The estimated mean opinion score of a G.711 leg. */
export function meanOpinionScore(input: MosInput): number {
  return mosFromR(rFactor(input));
}

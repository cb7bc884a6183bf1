/**
 * DTMF carried in SIP INFO bodies (no RFC; what PBXes and gateways send):
 *
 * - `application/dtmf-relay`: `Signal=5\r\nDuration=160\r\n` (Cisco/Asterisk style; the
 *   signal may also be an RFC 4733 event code, 10 = `*`, 11 = `#`, 12–15 = A–D);
 * - `application/dtmf`: the digit alone (`5`), sometimes as an event code.
 *
 * Pure functions; parsing never throws.
 */
import type { DtmfDigit } from '../../media/dtmf/digit.js';

export type { DtmfDigit };

/** Content types this module reads, lower-case. */
export const DTMF_INFO_TYPES: ReadonlySet<string> = new Set(['application/dtmf-relay', 'application/dtmf']);

const DIGITS = '0123456789*#ABCD';

/** A digit read from an INFO body. */
export interface InfoDtmf {
  readonly digit: DtmfDigit;
  /** Duration in ms when the body gave one. */
  readonly durationMs: number | undefined;
}

/** `5`, `*`, `a` (→ `A`), or an RFC 4733 event code 0–15. */
function toDigit(signal: string): DtmfDigit | undefined {
  const s = signal.trim().toUpperCase();
  if (s.length === 1 && DIGITS.includes(s)) return s as DtmfDigit;
  if (/^\d{1,2}$/.test(s)) {
    const code = Number(s);
    if (code >= 0 && code <= 15) return DIGITS[code] as DtmfDigit;
  }
  return undefined;
}

/** True for a string that is one DTMF digit. */
export function isDtmfDigit(s: string): s is DtmfDigit {
  return s.length === 1 && DIGITS.includes(s);
}

/** Read the digit of an INFO body of type `contentType` (media type, lower-case). */
export function parseDtmfInfo(contentType: string, body: string): InfoDtmf | undefined {
  if (contentType === 'application/dtmf') {
    const text = body.trim();
    const eq = text.indexOf('=');
    const digit = toDigit(eq >= 0 && /^signal$/i.test(text.slice(0, eq).trim()) ? text.slice(eq + 1) : text);
    return digit === undefined ? undefined : { digit, durationMs: undefined };
  }
  if (contentType !== 'application/dtmf-relay') return undefined;
  let digit: DtmfDigit | undefined;
  let durationMs: number | undefined;
  for (const line of body.split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim();
    if (key === 'signal') digit = toDigit(value);
    else if (key === 'duration' && /^\d{1,7}$/.test(value)) durationMs = Number(value);
  }
  return digit === undefined ? undefined : { digit, durationMs };
}

/** The `application/dtmf-relay` body for a digit. */
export function formatDtmfRelay(digit: DtmfDigit, durationMs: number): string {
  return `Signal=${digit}\r\nDuration=${Math.max(0, Math.round(durationMs))}\r\n`;
}

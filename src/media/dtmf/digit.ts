/**
 * DTMF digits: their RFC 4733 event codes, their two frequencies (ITU-T Q.23)
 * and the event both detectors report.
 */

export type DtmfDigit =
  | '0'
  | '1'
  | '2'
  | '3'
  | '4'
  | '5'
  | '6'
  | '7'
  | '8'
  | '9'
  | '*'
  | '#'
  | 'A'
  | 'B'
  | 'C'
  | 'D';

/** Every digit, indexed by its RFC 4733 event code (0–9, * = 10, # = 11, A–D = 12–15). */
export const DTMF_DIGITS: readonly DtmfDigit[] = Object.freeze([
  '0',
  '1',
  '2',
  '3',
  '4',
  '5',
  '6',
  '7',
  '8',
  '9',
  '*',
  '#',
  'A',
  'B',
  'C',
  'D',
]);

/** Low-group (row) frequencies, Hz. */
export const DTMF_ROW_HZ: readonly number[] = Object.freeze([697, 770, 852, 941]);
/** High-group (column) frequencies, Hz. */
export const DTMF_COLUMN_HZ: readonly number[] = Object.freeze([1209, 1336, 1477, 1633]);

/** The keypad, row by row: `DTMF_KEYPAD[row][column]`. */
export const DTMF_KEYPAD: readonly (readonly DtmfDigit[])[] = Object.freeze([
  Object.freeze(['1', '2', '3', 'A'] as const),
  Object.freeze(['4', '5', '6', 'B'] as const),
  Object.freeze(['7', '8', '9', 'C'] as const),
  Object.freeze(['*', '0', '#', 'D'] as const),
]);

export function isDtmfDigit(value: string): value is DtmfDigit {
  return value.length === 1 && DTMF_DIGITS.includes(value as DtmfDigit);
}

/** The RFC 4733 event code of a digit. */
export function dtmfEventCode(digit: DtmfDigit): number {
  return DTMF_DIGITS.indexOf(digit);
}

/** The digit of an RFC 4733 event code, or undefined for other events. */
export function dtmfDigitOf(eventCode: number): DtmfDigit | undefined {
  return DTMF_DIGITS[eventCode];
}

/** A digit's row and column frequencies, Hz. */
export function dtmfFrequencies(digit: DtmfDigit): { readonly row: number; readonly column: number } {
  for (let r = 0; r < 4; r++) {
    const c = DTMF_KEYPAD[r]!.indexOf(digit);
    if (c >= 0) return { row: DTMF_ROW_HZ[r]!, column: DTMF_COLUMN_HZ[c]! };
  }
  throw new RangeError(`not a DTMF digit: ${JSON.stringify(digit)}`);
}

/** How an RFC 4733 receiver learnt that an event was over. */
export type DtmfEndCause =
  /** An end packet (E bit) arrived. */
  | 'end-packet'
  /** All end packets were lost; a later event began. */
  | 'next-event'
  /** All end packets were lost; nothing arrived for the receiver's timeout. */
  | 'timeout';

/** One digit, reported once, when it is over. */
export type DtmfDigitEvent =
  | {
      readonly source: 'rfc4733';
      readonly digit: DtmfDigit;
      /** Tone duration, ms (the largest duration the packets carried). */
      readonly durationMs: number;
      /** RTP timestamp of the event's start. */
      readonly timestamp: number;
      /** Power level, -dBm0 (0–63). */
      readonly volume: number;
      readonly ended: DtmfEndCause;
    }
  | {
      readonly source: 'inband';
      readonly digit: DtmfDigit;
      /** Time the tone was detected, ms (a multiple of the detector's block length). */
      readonly durationMs: number;
      /** Index of the first sample of the first block in which the tone was detected. */
      readonly startSample: number;
    };

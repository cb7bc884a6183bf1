/**
 * One digit stream per leg from three sources: RFC 4733 telephone-events, SIP
 * INFO (injected by signalling) and in-band tones (Goertzel). Some phones send
 * a press two ways at once (INFO and RFC 4733, or RFC 4733 with the tones left
 * in the audio); the merger reports such a press once: a digit equal to the
 * last one reported, from a different source, within the press's duration
 * plus `windowMs` of it, is the same press and is dropped. Repeated presses on
 * one source are never merged, so "11" typed on a keypad stays "11".
 */
import type { DtmfDigit } from '../dtmf/digit.js';
import type { DigitSource } from '../protocol.js';

export type DigitSink = (digit: DtmfDigit, source: DigitSource, durationMs: number) => void;

export class DigitMerger {
  readonly windowMs: number;
  readonly #sink: DigitSink;
  #lastDigit: DtmfDigit | null = null;
  #lastSource: DigitSource = 'rfc4733';
  #lastAtMs = 0;
  #lastDurationMs = 0;
  /** Digits dropped as duplicates of one reported from another source. */
  merged = 0;

  constructor(sink: DigitSink, windowMs = 500) {
    this.#sink = sink;
    this.windowMs = windowMs;
  }

  /** Offers a digit reported by `source` at `nowMs`; returns true when it was passed on. */
  push(digit: DtmfDigit, source: DigitSource, durationMs: number, nowMs: number): boolean {
    if (
      this.#lastDigit === digit &&
      this.#lastSource !== source &&
      nowMs - this.#lastAtMs <= this.windowMs + Math.max(durationMs, this.#lastDurationMs)
    ) {
      this.merged++;
      return false;
    }
    this.#lastDigit = digit;
    this.#lastSource = source;
    this.#lastAtMs = nowMs;
    this.#lastDurationMs = durationMs;
    this.#sink(digit, source, durationMs);
    return true;
  }
}

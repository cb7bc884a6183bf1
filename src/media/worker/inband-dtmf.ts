/**
 * Digits sent as audio (when the remote did not negotiate telephone-event):
 * each digit's dual tone for its duration, then silence for the gap, written
 * frame by frame into the leg's outbound PCM in place of other audio.
 */
import { type DtmfDigit, isDtmfDigit } from '../dtmf/digit.js';
import { dtmfTone, type ToneGenerator } from '../source/tone.js';

const RATE = 8000;

interface Queued {
  readonly digit: DtmfDigit;
  readonly toneSamples: number;
  readonly gapSamples: number;
}

export class InbandDtmfSender {
  readonly levelDbm0: number;
  readonly #queue: Queued[] = [];
  #tone: ToneGenerator | null = null;
  #toneLeft = 0;
  #gapLeft = 0;

  constructor(levelDbm0 = -8) {
    this.levelDbm0 = levelDbm0;
  }

  /** Queues digits; throws RangeError on a character that is not a DTMF digit. */
  send(digits: string, durationMs = 100, gapMs = 60): void {
    for (const ch of digits) if (!isDtmfDigit(ch)) throw new RangeError(`not a DTMF digit: ${JSON.stringify(ch)}`);
    const toneSamples = Math.max(Math.round((40 * RATE) / 1000), Math.round((durationMs * RATE) / 1000));
    const gapSamples = Math.max(Math.round((40 * RATE) / 1000), Math.round((gapMs * RATE) / 1000));
    for (const ch of digits) this.#queue.push({ digit: ch as DtmfDigit, toneSamples, gapSamples });
  }

  /** True while a digit or its gap is still to be sent. */
  get busy(): boolean {
    return this.#toneLeft > 0 || this.#gapLeft > 0 || this.#queue.length > 0;
  }

  clear(): void {
    this.#queue.length = 0;
    this.#toneLeft = 0;
    this.#gapLeft = 0;
    this.#tone = null;
  }

  /** Writes the next frame of the digit sequence into `dst`; false when idle. */
  fill(dst: Int16Array): boolean {
    if (!this.busy) return false;
    const n = dst.length;
    let i = 0;
    while (i < n) {
      if (this.#toneLeft > 0 && this.#tone !== null) {
        const take = Math.min(this.#toneLeft, n - i);
        this.#tone.fill(dst, take, i);
        this.#toneLeft -= take;
        i += take;
      } else if (this.#gapLeft > 0) {
        const take = Math.min(this.#gapLeft, n - i);
        dst.fill(0, i, i + take);
        this.#gapLeft -= take;
        i += take;
      } else {
        const next = this.#queue.shift();
        if (next === undefined) {
          dst.fill(0, i, n);
          break;
        }
        this.#tone = dtmfTone(next.digit, this.levelDbm0);
        this.#toneLeft = next.toneSamples;
        this.#gapLeft = next.gapSamples;
      }
    }
    return true;
  }
}

/**
 * In-band DTMF detection on 8 kHz PCM with the Goertzel algorithm.
 *
 * The signal is cut into blocks of `blockSize` samples (default 102, 12.75 ms,
 * independent of the 20 ms frames it arrives in). For each block, eight
 * Goertzel filters measure the power at the DTMF row and column frequencies,
 * and the block counts as a digit only when all of these hold:
 *
 * - level: the strongest row and column tones are each above `minLevelDbm0`;
 * - relative peak: each beats the other three tones of its group by
 *   `minRelativePeakDb`;
 * - twist: their levels differ by at most `maxNormalTwistDb` (column weaker)
 *   or `maxReverseTwistDb` (row weaker);
 * - purity: the two tones carry at least `minToneRatio` of the block's energy.
 *   This is what rejects speech, music and noise, whose energy is spread over
 *   many frequencies, and single tones, whose energy is all in one group.
 *
 * Blocks that pass the first two checks are measured again at each tone's
 * frequency ± `frequencyTolerance`, and twist and purity use the strongest
 * reading, so a tone 1.5 % off frequency keeps its full power.
 *
 * A digit starts after `minOnBlocks` consecutive blocks agree on it and ends
 * after `minOffBlocks` consecutive blocks that do not; it is reported once,
 * when it ends, with its duration. A block only partly filled with tone fails
 * the purity check unless the tone covers about 85 % of it, so with the
 * defaults (2 on, 3 off, 102-sample blocks) a tone shorter than ~23 ms is never
 * reported and one of 40 ms or more always is; a pause of 40 ms or more always
 * separates two presses of the same key, and a drop-out of 10 ms or less never
 * splits one (ITU-T Q.24's 40 ms tone, 40 ms pause and 10 ms interruption).
 *
 * Block size 102 puts the neighbouring DTMF frequencies near the nulls of each
 * filter's response (adjacent-row leakage ≤ −14 dB) while keeping blocks short.
 */
import { dbm0ToMeanSquare } from '../codec/level.js';
import { type DtmfDigit, type DtmfDigitEvent, DTMF_COLUMN_HZ, DTMF_KEYPAD, DTMF_ROW_HZ } from './digit.js';

export interface GoertzelDetectorOptions {
  /** Called once per digit, when it ends. */
  onDigit: (event: DtmfDigitEvent) => void;
  /** Sample rate, Hz (default 8000). */
  sampleRate?: number;
  /** Samples per analysis block (default 102). */
  blockSize?: number;
  /** Weakest accepted level of each tone, dBm0 (default -30). */
  minLevelDbm0?: number;
  /** Largest accepted amount by which the column tone is weaker than the row tone, dB (default 8). */
  maxNormalTwistDb?: number;
  /** Largest accepted amount by which the row tone is weaker than the column tone, dB (default 6). */
  maxReverseTwistDb?: number;
  /** How far each detected tone must exceed the others of its group, dB (default 8). */
  minRelativePeakDb?: number;
  /** Share of the block's energy the two tones must carry, 0–1 (default 0.85). */
  minToneRatio?: number;
  /**
   * Relative frequency deviation the tones may have (default 0.015, ITU-T
   * Q.24's ±1.5 %). Blocks that pass the other checks are measured again at
   * each tone's frequency ± this much, and the strongest reading is used.
   */
  frequencyTolerance?: number;
  /** Consecutive agreeing blocks that start a digit (default 2). */
  minOnBlocks?: number;
  /** Consecutive other blocks that end it (default 3). */
  minOffBlocks?: number;
}

/** Per-block measurements, exposed for tests and tuning. */
export interface GoertzelBlockResult {
  /** The digit the block passed all checks for, or null. */
  digit: DtmfDigit | null;
  /** Mean square of the strongest row and column tones, and of the whole block. */
  rowPower: number;
  columnPower: number;
  blockPower: number;
}

/** Detects DTMF digits in a PCM stream. Allocates nothing per frame. */
export class GoertzelDetector {
  readonly sampleRate: number;
  readonly blockSize: number;
  readonly #onDigit: (event: DtmfDigitEvent) => void;
  readonly #coeff = new Float64Array(8);
  readonly #s1 = new Float64Array(8);
  readonly #s2 = new Float64Array(8);
  readonly #power = new Float64Array(8);
  /** Coefficients at each frequency × (1 − deviation) and × (1 + deviation). */
  readonly #offCoeff = new Float64Array(16);
  /** The current block's samples, kept for the refined measurement. */
  readonly #block: Int16Array;
  readonly #minPower: number;
  readonly #normalTwist: number;
  readonly #reverseTwist: number;
  readonly #relativePeak: number;
  readonly #toneRatio: number;
  readonly #minOn: number;
  readonly #minOff: number;
  readonly #last: GoertzelBlockResult = { digit: null, rowPower: 0, columnPower: 0, blockPower: 0 };

  #filled = 0;
  #energy = 0;
  #samples = 0; // samples processed so far

  #current: DtmfDigit | null = null;
  #currentBlocks = 0;
  #currentStart = 0;
  #offBlocks = 0;
  #candidate: DtmfDigit | null = null;
  #candidateBlocks = 0;
  #candidateStart = 0;

  constructor(options: GoertzelDetectorOptions) {
    this.#onDigit = options.onDigit;
    this.sampleRate = options.sampleRate ?? 8000;
    this.blockSize = options.blockSize ?? 102;
    this.#block = new Int16Array(this.blockSize);
    const deviation = options.frequencyTolerance ?? 0.015;
    for (let k = 0; k < 8; k++) {
      const f = k < 4 ? DTMF_ROW_HZ[k]! : DTMF_COLUMN_HZ[k - 4]!;
      const w = (2 * Math.PI * f) / this.sampleRate;
      this.#coeff[k] = 2 * Math.cos(w);
      this.#offCoeff[2 * k] = 2 * Math.cos(w * (1 - deviation));
      this.#offCoeff[2 * k + 1] = 2 * Math.cos(w * (1 + deviation));
    }
    this.#minPower = dbm0ToMeanSquare(options.minLevelDbm0 ?? -30);
    this.#normalTwist = 10 ** ((options.maxNormalTwistDb ?? 8) / 10);
    this.#reverseTwist = 10 ** ((options.maxReverseTwistDb ?? 6) / 10);
    this.#relativePeak = 10 ** ((options.minRelativePeakDb ?? 8) / 10);
    this.#toneRatio = options.minToneRatio ?? 0.85;
    this.#minOn = Math.max(1, options.minOnBlocks ?? 2);
    this.#minOff = Math.max(1, options.minOffBlocks ?? 3);
  }

  /** Analyses the next `length` samples of `pcm` (default: all of it). */
  process(pcm: Int16Array, length = pcm.length): void {
    const n = this.blockSize;
    let i = 0;
    while (i < length) {
      const take = Math.min(n - this.#filled, length - i);
      const end = i + take;
      for (let k = 0; k < 8; k++) {
        const c = this.#coeff[k]!;
        let s1 = this.#s1[k]!;
        let s2 = this.#s2[k]!;
        for (let j = i; j < end; j++) {
          const s0 = pcm[j]! + c * s1 - s2;
          s2 = s1;
          s1 = s0;
        }
        this.#s1[k] = s1;
        this.#s2[k] = s2;
      }
      let energy = this.#energy;
      const block = this.#block;
      for (let j = i, b = this.#filled; j < end; j++, b++) {
        const x = pcm[j]!;
        block[b] = x;
        energy += x * x;
      }
      this.#energy = energy;
      this.#filled += take;
      i = end;
      if (this.#filled === n) {
        this.#endBlock();
        this.#samples += n;
      }
    }
  }

  /** Measurements of the last completed block (a reused object). */
  get lastBlock(): Readonly<GoertzelBlockResult> {
    return this.#last;
  }

  /** True while a digit has started and not yet ended. */
  get inProgress(): boolean {
    return this.#current !== null;
  }

  /** Reports a digit in progress as ended now (end of stream). */
  flush(): void {
    if (this.#current !== null) this.#emit();
  }

  /** Drops all state; a digit in progress is not reported. */
  reset(): void {
    this.#s1.fill(0);
    this.#s2.fill(0);
    this.#filled = 0;
    this.#energy = 0;
    this.#samples = 0;
    this.#current = null;
    this.#candidate = null;
    this.#candidateBlocks = 0;
    this.#offBlocks = 0;
  }

  describe(): string {
    return `dtmf-inband(goertzel ${this.blockSize}@${this.sampleRate})`;
  }

  #endBlock(): void {
    const n = this.blockSize;
    // Mean square of a sine from its Goertzel power: 2·|X|²/N².
    const scale = 2 / (n * n);
    let rowMax = 0;
    let colMax = 4;
    for (let k = 0; k < 8; k++) {
      const s1 = this.#s1[k]!;
      const s2 = this.#s2[k]!;
      const p = (s1 * s1 + s2 * s2 - this.#coeff[k]! * s1 * s2) * scale;
      this.#power[k] = p;
      if (k < 4) {
        if (p > this.#power[rowMax]!) rowMax = k;
      } else if (p > this.#power[colMax]!) {
        colMax = k;
      }
    }
    const rowPower = this.#power[rowMax]!;
    const colPower = this.#power[colMax]!;
    const blockPower = this.#energy / n;
    this.#s1.fill(0);
    this.#s2.fill(0);
    this.#energy = 0;
    this.#filled = 0;

    let digit: DtmfDigit | null = null;
    let row = rowPower;
    let col = colPower;
    if (
      rowPower >= this.#minPower &&
      colPower >= this.#minPower &&
      this.#peaks(0, rowMax, rowPower) &&
      this.#peaks(4, colMax, colPower)
    ) {
      // A candidate: measure both tones again allowing for frequency deviation,
      // then check twist and purity on the better readings.
      row = Math.max(rowPower, this.#offPower(rowMax, 0), this.#offPower(rowMax, 1));
      col = Math.max(colPower, this.#offPower(colMax, 0), this.#offPower(colMax, 1));
      if (
        row <= col * this.#normalTwist &&
        col <= row * this.#reverseTwist &&
        row + col >= this.#toneRatio * blockPower
      ) {
        digit = DTMF_KEYPAD[rowMax]![colMax - 4]!;
      }
    }
    this.#last.digit = digit;
    this.#last.rowPower = row;
    this.#last.columnPower = col;
    this.#last.blockPower = blockPower;
    this.#track(digit);
  }

  /** Mean-square tone power of the current block at filter `k`'s frequency shifted down (`side` 0) or up (1). */
  #offPower(k: number, side: number): number {
    const c = this.#offCoeff[2 * k + side]!;
    const block = this.#block;
    const n = this.blockSize;
    let s1 = 0;
    let s2 = 0;
    for (let j = 0; j < n; j++) {
      const s0 = block[j]! + c * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    return ((s1 * s1 + s2 * s2 - c * s1 * s2) * 2) / (n * n);
  }

  /** True when the tone at `best` beats every other filter of its group by the relative-peak margin. */
  #peaks(first: number, best: number, bestPower: number): boolean {
    for (let k = first; k < first + 4; k++) {
      if (k !== best && this.#power[k]! * this.#relativePeak > bestPower) return false;
    }
    return true;
  }

  #track(digit: DtmfDigit | null): void {
    const blockStart = this.#samples;
    if (this.#current !== null) {
      if (digit === this.#current) {
        this.#currentBlocks += 1 + this.#offBlocks; // a short drop-out counts as part of the tone
        this.#offBlocks = 0;
        this.#candidate = null;
        this.#candidateBlocks = 0;
        return;
      }
      this.#offBlocks++;
      if (this.#offBlocks >= this.#minOff) this.#emit();
    }
    if (digit === null) {
      this.#candidate = null;
      this.#candidateBlocks = 0;
      return;
    }
    if (digit === this.#candidate) {
      this.#candidateBlocks++;
    } else {
      this.#candidate = digit;
      this.#candidateBlocks = 1;
      this.#candidateStart = blockStart;
    }
    if (this.#current === null && this.#candidateBlocks >= this.#minOn) {
      this.#current = digit;
      this.#currentBlocks = this.#candidateBlocks;
      this.#currentStart = this.#candidateStart;
      this.#offBlocks = 0;
      this.#candidate = null;
      this.#candidateBlocks = 0;
    }
  }

  #emit(): void {
    const digit = this.#current!;
    const durationMs = (this.#currentBlocks * this.blockSize * 1000) / this.sampleRate;
    this.#current = null;
    this.#offBlocks = 0;
    this.#onDigit({ source: 'inband', digit, durationMs, startSample: this.#currentStart });
  }
}

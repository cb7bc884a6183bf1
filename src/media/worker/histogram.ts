/**
 * A fixed-bucket latency histogram: recording is one array increment (no
 * allocation), percentiles are read from the counts. Buckets are `bucketMs`
 * wide up to `maxMs`; larger values land in the last bucket, and the exact
 * maximum is kept apart.
 */
import type { TimingSummary } from '../protocol.js';

export class LatencyHistogram {
  readonly bucketMs: number;
  readonly #counts: Uint32Array;
  // [count, max] in a typed array so that updates never box a double.
  readonly #totals = new Float64Array(2);

  constructor(bucketMs = 0.05, maxMs = 2000) {
    this.bucketMs = bucketMs;
    this.#counts = new Uint32Array(Math.ceil(maxMs / bucketMs) + 1);
  }

  /** Records one value, ms; negative values count as 0. */
  record(ms: number): void {
    const v = ms > 0 ? ms : 0;
    let index = Math.floor(v / this.bucketMs);
    if (index >= this.#counts.length) index = this.#counts.length - 1;
    this.#counts[index]!++;
    this.#totals[0]!++;
    if (v > this.#totals[1]!) this.#totals[1] = v;
  }

  get count(): number {
    return this.#totals[0]!;
  }

  get max(): number {
    return this.#totals[1]!;
  }

  /** The value below which `q` (0–1) of the recorded values fall: the upper edge of that bucket, at most the max. */
  quantile(q: number): number {
    const count = this.#totals[0]!;
    if (count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * count));
    let seen = 0;
    const last = this.#counts.length - 1;
    for (let i = 0; i < last; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return Math.min((i + 1) * this.bucketMs, this.#totals[1]!);
    }
    return this.#totals[1]!;
  }

  summary(): TimingSummary {
    const round = (v: number): number => Math.round(v * 1000) / 1000;
    return { count: this.count, p50: round(this.quantile(0.5)), p99: round(this.quantile(0.99)), max: round(this.max) };
  }

  reset(): void {
    this.#counts.fill(0);
    this.#totals.fill(0);
  }
}

/**
 * RTP port allocation inside one worker. RTP takes an even port and, without
 * rtcp-mux, RTCP the odd port above it (RFC 3550 §11). Candidates are handed
 * out from a cursor that keeps moving through the range, so a port just
 * released is the last to be reused (late packets of an old call do not reach
 * a new one). The pool only knows what this worker holds; a port taken by
 * another process shows up as a bind failure and the caller moves on.
 */
import type { PortRange } from '../protocol.js';

export class PortPool {
  readonly #inUse = new Set<number>();
  /** Cursor per range, keyed "min-max". */
  readonly #cursors = new Map<string, number>();

  /**
   * Even ports of `range` to try, in order, each once, starting after the last
   * one handed out; with `pair`, only those whose odd neighbour is in range too.
   * Ports held in this pool are skipped.
   */
  *candidates(range: PortRange, pair: boolean): Generator<number> {
    const first = range.min % 2 === 0 ? range.min : range.min + 1;
    const last = pair ? range.max - 1 : range.max;
    if (first > last) return;
    const count = Math.floor((last - first) / 2) + 1;
    const key = `${range.min}-${range.max}`;
    const start = this.#cursors.get(key) ?? 0;
    for (let i = 0; i < count; i++) {
      const slot = (start + i) % count;
      const port = first + 2 * slot;
      if (this.#inUse.has(port) || (pair && this.#inUse.has(port + 1))) continue;
      this.#cursors.set(key, (slot + 1) % count);
      yield port;
    }
  }

  reserve(port: number, pair: boolean): void {
    this.#inUse.add(port);
    if (pair) this.#inUse.add(port + 1);
  }

  release(port: number, pair: boolean): void {
    this.#inUse.delete(port);
    if (pair) this.#inUse.delete(port + 1);
  }

  get size(): number {
    return this.#inUse.size;
  }
}

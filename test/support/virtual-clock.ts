/**
 * A clock that moves only when told to. `advance(ms)` fires every timer that falls due in
 * that span, in order of due time (timers due at the same instant in the order they were
 * armed), with `now()` reading each timer's due time while it runs; timers armed by a
 * firing timer fire in the same `advance` when they fall inside the span.
 */
import type { Clock, TimerHandle } from '../../src/sip/clock.js';

interface Entry {
  readonly due: number;
  readonly seq: number;
  readonly fn: () => void;
}

export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers = new Map<number, Entry>();

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const seq = ++this.#seq;
    this.#timers.set(seq, { due: this.#now + Math.max(0, ms), seq, fn });
    return seq as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as unknown as number);
  }

  /** Number of armed timers. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Due times of the armed timers, soonest first. */
  dueTimes(): number[] {
    return [...this.#timers.values()].map((t) => t.due).sort((a, b) => a - b);
  }

  /** Move time forward by `ms`, firing what falls due. */
  advance(ms: number): void {
    this.advanceTo(this.#now + ms);
  }

  /** Move time forward to `t` (no-op when `t` is in the past), firing what falls due. */
  advanceTo(t: number): void {
    for (;;) {
      const next = this.#next();
      if (next === undefined || next.due > t) break;
      this.#timers.delete(next.seq);
      this.#now = next.due;
      next.fn();
    }
    if (t > this.#now) this.#now = t;
  }

  /** Fire timers until none is left or `limitMs` of virtual time has passed. */
  runAll(limitMs = 3_600_000): void {
    this.advanceTo(this.#now + limitMs);
  }

  #next(): Entry | undefined {
    let best: Entry | undefined;
    for (const e of this.#timers.values()) {
      if (best === undefined || e.due < best.due || (e.due === best.due && e.seq < best.seq)) best = e;
    }
    return best;
  }
}

/**
 * The worker's one 20 ms clock. Every leg's receive and send work runs from
 * here, so a worker with 1,000 legs arms one timer per tick, not 1,000.
 *
 * The schedule is drift-free: tick n is due at `start + n · period` on a
 * monotonic clock, whatever the lateness of earlier ticks. When the thread
 * wakes late by more than a period, the overdue ticks run back to back
 * (catch-up), up to `maxCatchUpTicks`; beyond that the rest are dropped and
 * reported through `onSkip`, so a long stall (a debugger, a swap storm) does
 * not end in a burst of hundreds of packets. How late each tick started is
 * recorded in {@link TickScheduler.lateness}.
 */
import { LatencyHistogram } from './histogram.js';

/** The timer functions the scheduler uses; tests pass fakes. */
export interface TickTimers {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTickTimers: TickTimers = Object.freeze({
  now: (): number => performance.now(),
  setTimeout: (fn: () => void, ms: number): unknown => setTimeout(fn, ms),
  clearTimeout: (handle: unknown): void => clearTimeout(handle as ReturnType<typeof setTimeout>),
});

export interface TickSchedulerOptions {
  /** Called once per tick, in order, with the time the tick was due. */
  onTick: (dueMs: number) => void;
  /** Called with the number of ticks dropped after a stall. */
  onSkip?: (ticks: number) => void;
  /** Default 20. */
  periodMs?: number;
  /** Overdue ticks run back to back before the rest are dropped (default 5). */
  maxCatchUpTicks?: number;
  timers?: TickTimers;
}

export class TickScheduler {
  readonly periodMs: number;
  readonly maxCatchUpTicks: number;
  /** How late each tick started, ms. */
  readonly lateness = new LatencyHistogram();
  readonly #onTick: (dueMs: number) => void;
  readonly #onSkip: (ticks: number) => void;
  readonly #timers: TickTimers;
  // [next due time, ticks run, ticks skipped] unboxed.
  readonly #state = new Float64Array(3);
  #handle: unknown = null;
  #running = false;
  /** Bound once: no closure is created per tick. */
  readonly #fire: () => void;

  constructor(options: TickSchedulerOptions) {
    this.periodMs = options.periodMs ?? 20;
    this.maxCatchUpTicks = Math.max(1, options.maxCatchUpTicks ?? 5);
    this.#onTick = options.onTick;
    this.#onSkip = options.onSkip ?? (() => undefined);
    this.#timers = options.timers ?? systemTickTimers;
    this.#fire = () => this.#run();
  }

  get running(): boolean {
    return this.#running;
  }

  /** Ticks run since the scheduler was created. */
  get ticks(): number {
    return this.#state[1]!;
  }

  /** Ticks dropped since the scheduler was created. */
  get skippedTicks(): number {
    return this.#state[2]!;
  }

  /** Starts ticking; the first tick is due one period from now. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#state[0] = this.#timers.now() + this.periodMs;
    this.#arm();
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    if (this.#handle !== null) this.#timers.clearTimeout(this.#handle);
    this.#handle = null;
  }

  #arm(): void {
    const delay = this.#state[0]! - this.#timers.now();
    // Timers have millisecond resolution and never fire early: round up.
    this.#handle = this.#timers.setTimeout(this.#fire, delay > 0 ? Math.ceil(delay) : 0);
  }

  #run(): void {
    this.#handle = null;
    if (!this.#running) return;
    const state = this.#state;
    const period = this.periodMs;
    let now = this.#timers.now();
    const due = Math.floor((now - state[0]!) / period) + 1;
    if (due > this.maxCatchUpTicks) {
      const skip = due - this.maxCatchUpTicks;
      state[0] = state[0]! + skip * period;
      state[2] = state[2]! + skip;
      this.#onSkip(skip);
    }
    while (this.#running && state[0]! <= now) {
      const dueAt = state[0]!;
      this.lateness.record(now - dueAt);
      state[0] = dueAt + period;
      state[1] = state[1]! + 1;
      this.#onTick(dueAt);
      now = this.#timers.now();
    }
    if (this.#running) this.#arm();
  }
}

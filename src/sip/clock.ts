/**
 * Time as the SIP stack sees it. Every timer of the transaction layer (A–K, L, M, the 100
 * Trying delay, 2xx retransmission) is armed through a `Clock` passed in, never on the
 * wall clock directly, so two stacks can run different timer values and a test can run
 * Timer B's 32 s in virtual time (`test/support/virtual-clock.ts`).
 */

declare const timerHandleBrand: unique symbol;

/** An armed timer, as returned by `Clock.setTimeout`; only good for `clearTimeout`. */
export interface TimerHandle {
  readonly [timerHandleBrand]: true;
}

export interface Clock {
  /** Milliseconds on a monotonic scale (not wall-clock time). */
  now(): number;
  /** Run `fn` once, `ms` milliseconds from now. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Disarm a timer; disarming one that fired or was already disarmed does nothing. */
  clearTimeout(handle: TimerHandle): void;
}

/** The process clock: `performance.now()` and the global timers. */
export const systemClock: Clock = Object.freeze({
  now: (): number => performance.now(),
  setTimeout: (fn: () => void, ms: number): TimerHandle =>
    globalThis.setTimeout(fn, Math.max(0, ms)) as unknown as TimerHandle,
  clearTimeout: (handle: TimerHandle): void => {
    globalThis.clearTimeout(handle as unknown as ReturnType<typeof globalThis.setTimeout>);
  },
});

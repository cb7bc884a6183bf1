/**
 * RFC 3261 §17 timer values (Table 4 of RFC 3261 §A, RFC 6026 §8.11 for L and M) and a
 * small set of named timers armed on an injected `Clock`.
 */
import type { Clock, TimerHandle } from '../clock.js';

/** The three base values every other timer derives from. */
export interface SipTimers {
  /** RTT estimate; default 500 ms. */
  readonly t1: number;
  /** Longest interval between non-INVITE request and INVITE response retransmissions; default 4 s. */
  readonly t2: number;
  /** Longest time a message stays in the network; default 5 s. */
  readonly t4: number;
}

export const DEFAULT_SIP_TIMERS: SipTimers = Object.freeze({ t1: 500, t2: 4000, t4: 5000 });

/** Fill in the defaults. */
export function resolveTimers(timers?: Partial<SipTimers>): SipTimers {
  if (timers === undefined) return DEFAULT_SIP_TIMERS;
  return Object.freeze({
    t1: timers.t1 ?? DEFAULT_SIP_TIMERS.t1,
    t2: timers.t2 ?? DEFAULT_SIP_TIMERS.t2,
    t4: timers.t4 ?? DEFAULT_SIP_TIMERS.t4,
  });
}

/** 64*T1: Timers B, F, H, J (unreliable), L, M, and the 2xx give-up time. */
export function timeout64(t: SipTimers): number {
  return 64 * t.t1;
}

/** Timer D: at least 32 s on an unreliable transport (and never below 64*T1), 0 on a reliable one. */
export function timerD(t: SipTimers, reliable: boolean): number {
  return reliable ? 0 : Math.max(32_000, 64 * t.t1);
}

/** Timers I and K: T4 on an unreliable transport, 0 on a reliable one. */
export function timerT4(t: SipTimers, reliable: boolean): number {
  return reliable ? 0 : t.t4;
}

/** Timer J: 64*T1 on an unreliable transport, 0 on a reliable one. */
export function timerJ(t: SipTimers, reliable: boolean): number {
  return reliable ? 0 : 64 * t.t1;
}

/** Named one-shot timers on a clock; arming a name again replaces its timer. */
export class TimerSet<Name extends string> {
  readonly #clock: Clock;
  readonly #armed = new Map<Name, TimerHandle>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  arm(name: Name, ms: number, fire: () => void): void {
    this.disarm(name);
    const handle = this.#clock.setTimeout(() => {
      if (this.#armed.get(name) !== handle) return;
      this.#armed.delete(name);
      fire();
    }, ms);
    this.#armed.set(name, handle);
  }

  disarm(name: Name): void {
    const handle = this.#armed.get(name);
    if (handle === undefined) return;
    this.#armed.delete(name);
    this.#clock.clearTimeout(handle);
  }

  isArmed(name: Name): boolean {
    return this.#armed.has(name);
  }

  disarmAll(): void {
    for (const handle of this.#armed.values()) this.#clock.clearTimeout(handle);
    this.#armed.clear();
  }
}

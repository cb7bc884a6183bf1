/**
 * Retransmission of a 2xx to an INVITE, which belongs to the UAS core, not to the INVITE
 * server transaction (RFC 3261 §13.3.1.4, RFC 6026 §7.1): the 2xx is sent again after T1,
 * then at intervals doubling up to T2, until the ACK arrives (`stop()`), and the UAS gives
 * up 64*T1 after the first send (`giveUp`: the dialog should then be ended with a BYE).
 *
 * The helper only schedules; `send` does the sending (typically
 * `inviteServerTransaction.respond(ok)`, which passes the 2xx to the transport while the
 * transaction is in the Accepted state).
 */
import type { Clock } from '../clock.js';
import { type SipTimers, TimerSet, resolveTimers, timeout64 } from './timers.js';

export interface Retransmit2xxOptions {
  readonly clock: Clock;
  readonly timers?: Partial<SipTimers>;
  /** Send the 2xx again. A throw or a rejection stops the schedule and is reported to `error`. */
  readonly send: () => void | Promise<void>;
  /**
   * True to send no retransmissions (only the give-up timer runs). RFC 3261 §13.3.1.4 does
   * not exempt reliable transports, since a proxy further on may use UDP; a UA talking
   * directly over TCP may choose to.
   */
  readonly reliable?: boolean;
  /** No ACK 64*T1 after the first send. */
  readonly giveUp?: () => void;
  /** `send` failed. */
  readonly error?: (err: unknown) => void;
}

export interface Retransmit2xx {
  /** Stop retransmitting (the ACK arrived, or the dialog ended). */
  stop(): void;
  /** True until `stop()`, the give-up time, or a failed send. */
  readonly active: boolean;
  /** Retransmissions sent so far (not counting the first send). */
  readonly count: number;
}

/** Start the schedule; call it right after the first send of the 2xx. */
export function retransmit2xx(options: Retransmit2xxOptions): Retransmit2xx {
  const timers = resolveTimers(options.timers);
  const set = new TimerSet<'retransmit' | 'give-up'>(options.clock);
  let active = true;
  let count = 0;
  let interval = timers.t1;

  const stop = (): void => {
    active = false;
    set.disarmAll();
  };
  const fail = (err: unknown): void => {
    if (!active) return;
    stop();
    options.error?.(err);
  };
  const fire = (): void => {
    count++;
    try {
      const sent = options.send();
      if (sent instanceof Promise) sent.catch(fail);
    } catch (err) {
      fail(err);
      return;
    }
    if (!active) return;
    interval = Math.min(2 * interval, timers.t2);
    set.arm('retransmit', interval, fire);
  };

  if (options.reliable !== true) set.arm('retransmit', interval, fire);
  set.arm('give-up', timeout64(timers), () => {
    stop();
    options.giveUp?.();
  });

  return {
    stop,
    get active() {
      return active;
    },
    get count() {
      return count;
    },
  };
}

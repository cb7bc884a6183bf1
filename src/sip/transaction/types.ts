/**
 * What every transaction is given (clock, timers, transport reliability, a send function
 * bound to its peer) and what it tells its transaction user (TU).
 */
import type { Clock } from '../clock.js';
import type { SipMessage, SipRequest, SipResponse } from '../message/index.js';
import { TransportError } from '../transport/errors.js';
import type { SipLogger } from '../transport/types.js';
import type { TransactionTimeoutError } from './errors.js';
import type { SipTimers } from './timers.js';

export interface TransactionOptions {
  readonly clock: Clock;
  /** T1, T2, T4; defaults 500 / 4000 / 5000 ms. */
  readonly timers?: Partial<SipTimers>;
  /** True on TCP: no retransmissions, timers D, I, J, K are zero. */
  readonly reliable: boolean;
  /**
   * Hand a message to the transport toward this transaction's peer (the request's
   * destination for a client transaction, the response target for a server one).
   * Rejects with a `TransportError`.
   */
  readonly send: (message: SipMessage) => Promise<void>;
  /** Where a throwing TU callback is reported. */
  readonly logger?: SipLogger;
  /**
   * The owner's hook (the transaction layer removes the transaction from its table),
   * called on reaching Terminated, before the TU's `terminated` callback.
   */
  readonly onTerminated?: () => void;
}

/** Why a client transaction ended without a final response. */
export type ClientTransactionError = TransactionTimeoutError | TransportError;

/** What a client transaction tells its TU. Every callback is optional. */
export interface ClientTransactionUser {
  /**
   * Every response the TU must see: provisionals, the final response and, for INVITE in
   * the Accepted state (RFC 6026), further 2xx responses (retransmissions and forks).
   * Retransmissions of a non-2xx final are absorbed and not passed up.
   */
  readonly response?: (response: SipResponse) => void;
  /** The transaction failed: a timeout (B, F, CANCEL), or the transport failed a send. */
  readonly error?: (error: ClientTransactionError) => void;
  /** The transaction reached Terminated (for whatever reason). */
  readonly terminated?: () => void;
}

/** Why a server transaction failed. */
export type ServerTransactionError = TransactionTimeoutError | TransportError;

/** What a server transaction tells its TU. Every callback is optional. */
export interface ServerTransactionUser {
  /**
   * INVITE only: a CANCEL matched this transaction while no final response had been
   * sent; the layer has answered the CANCEL with 200 and the INVITE with 487.
   */
  readonly cancelled?: (cancel: SipRequest) => void;
  /** Timer H fired (no ACK for a non-2xx final), or the transport failed a send. */
  readonly error?: (error: ServerTransactionError) => void;
  /** The transaction reached Terminated. */
  readonly terminated?: () => void;
}

/** Coerce whatever a send rejected with into a `TransportError`. */
export function asTransportError(err: unknown): TransportError {
  if (err instanceof TransportError) return err;
  return new TransportError('send-failed', err instanceof Error ? err.message : String(err), { cause: err });
}

/** Call a TU callback; a throw is logged, never allowed to break the state machine. */
export function callUser<A extends unknown[]>(
  logger: SipLogger | undefined,
  what: string,
  fn: ((...args: A) => void) | undefined,
  ...args: A
): void {
  if (fn === undefined) return;
  try {
    fn(...args);
  } catch (err) {
    logger?.error({ err }, `transaction user callback "${what}" threw`);
  }
}

/**
 * A value settled once that never becomes an unhandled rejection: the promise has a no-op
 * handler attached, so a TU that only uses callbacks does not crash the process.
 */
export class Outcome<T> {
  readonly promise: Promise<T>;
  #resolve!: (value: T) => void;
  #reject!: (err: Error) => void;
  #settled = false;

  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.promise.catch(() => undefined);
  }

  get settled(): boolean {
    return this.#settled;
  }

  resolve(value: T): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#resolve(value);
  }

  reject(err: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#reject(err);
  }
}

/**
 * The non-INVITE client transaction (RFC 3261 §17.1.2, Figure 6).
 *
 * ```
 *            start: send request, Timer E (unreliable), Timer F
 *                          |
 *   Timer E: resend,  +--------+  1xx: pass up
 *   E=min(2E,T2)      | trying |-------------+
 *                     +--------+             v
 *        final: pass up  |            +------------+  Timer E: resend, E=T2
 *                        |            | proceeding |  1xx: pass up
 *                        |            +------------+
 *                        v  final: pass up  |
 *                   +-----------+ <---------+
 *                   | completed |  Timer K (T4 unreliable, 0 reliable)
 *                   +-----------+ ------------> terminated
 * Timer F or transport error in trying/proceeding: terminated, TU informed.
 * ```
 *
 * Each state is a method mapping an input to the next state; timer expiries are inputs
 * like responses, so a test drives the machine with a virtual clock.
 */
import type { SipRequest, SipResponse } from '../message/index.js';
import type { TransportError } from '../transport/errors.js';
import { TransactionTerminatedError, TransactionTimeoutError } from './errors.js';
import { TransactionMachine } from './machine.js';
import { timeout64, timerT4 } from './timers.js';
import {
  type ClientTransactionError,
  type ClientTransactionUser,
  type TransactionOptions,
  Outcome,
  callUser,
} from './types.js';

export type NonInviteClientState = 'trying' | 'proceeding' | 'completed' | 'terminated';

export type NonInviteClientInput =
  | { readonly type: 'response'; readonly response: SipResponse }
  | { readonly type: 'timer-e' }
  | { readonly type: 'timer-f' }
  | { readonly type: 'timer-k' }
  | { readonly type: 'transport-error'; readonly error: TransportError }
  /** The TU or the layer ends the transaction now. */
  | { readonly type: 'terminate' };

type TimerName = 'E' | 'F' | 'K';

export class NonInviteClientTransaction extends TransactionMachine<NonInviteClientState, NonInviteClientInput, TimerName> {
  readonly kind = 'non-invite-client' as const;
  readonly request: SipRequest;
  readonly #user: ClientTransactionUser;
  readonly #final = new Outcome<SipResponse>();
  protected readonly steps = {
    trying: (input: NonInviteClientInput) => this.#trying(input),
    proceeding: (input: NonInviteClientInput) => this.#proceeding(input),
    completed: (input: NonInviteClientInput) => this.#completed(input),
  };
  protected readonly timerInputs = { E: { type: 'timer-e' }, F: { type: 'timer-f' }, K: { type: 'timer-k' } } as const;
  #started = false;
  /** Current Timer E interval. */
  #intervalE: number;
  #cause: Error | undefined;

  constructor(request: SipRequest, options: TransactionOptions, user: ClientTransactionUser = {}) {
    super('trying', options);
    this.request = request;
    this.#user = user;
    this.#intervalE = this.timers.t1;
  }

  /**
   * The final response; rejects with `TransactionTimeoutError` (Timer F), `TransportError`
   * or `TransactionTerminatedError`.
   */
  get final(): Promise<SipResponse> {
    return this.#final.promise;
  }

  /** Send the request and arm Timers E and F. Call once. */
  start(): void {
    if (this.#started || this.state === 'terminated') return;
    this.#started = true;
    this.#send();
    if (!this.reliable) this.arm('E', this.#intervalE);
    this.arm('F', timeout64(this.timers));
  }

  // ───────────── states ─────────────

  #trying(input: NonInviteClientInput): NonInviteClientState {
    switch (input.type) {
      case 'timer-e':
        this.#send();
        this.#intervalE = Math.min(2 * this.#intervalE, this.timers.t2);
        this.arm('E', this.#intervalE);
        return 'trying';
      case 'response':
        this.#passUp(input.response);
        return input.response.status < 200 ? 'proceeding' : this.#finalResponse(input.response);
      default:
        return this.#common(input, 'trying');
    }
  }

  #proceeding(input: NonInviteClientInput): NonInviteClientState {
    switch (input.type) {
      case 'timer-e':
        this.#send();
        this.#intervalE = this.timers.t2;
        this.arm('E', this.#intervalE);
        return 'proceeding';
      case 'response':
        this.#passUp(input.response);
        return input.response.status < 200 ? 'proceeding' : this.#finalResponse(input.response);
      default:
        return this.#common(input, 'proceeding');
    }
  }

  #completed(input: NonInviteClientInput): NonInviteClientState {
    switch (input.type) {
      case 'timer-k':
        return 'terminated';
      case 'terminate':
        return 'terminated';
      // Retransmitted finals are absorbed; E and F are disarmed; a transport error
      // cannot happen (nothing is sent in this state).
      default:
        return 'completed';
    }
  }

  /** Inputs handled alike in trying and proceeding. */
  #common(input: NonInviteClientInput, stay: NonInviteClientState): NonInviteClientState {
    switch (input.type) {
      case 'timer-f':
        return this.#fail(new TransactionTimeoutError('F', `no final response to ${this.request.method} within 64*T1`));
      case 'transport-error':
        return this.#fail(input.error);
      case 'terminate':
        this.#cause = new TransactionTerminatedError(`${this.request.method} transaction terminated before a final response`);
        return 'terminated';
      default:
        return stay;
    }
  }

  // ───────────── actions ─────────────

  #finalResponse(response: SipResponse): NonInviteClientState {
    this.#final.resolve(response);
    return 'completed';
  }

  protected entered(next: NonInviteClientState): void {
    if (next === 'completed') {
      this.timerSet.disarm('E');
      this.timerSet.disarm('F');
      const k = timerT4(this.timers, this.reliable);
      if (k === 0) this.moveTo('terminated');
      else this.arm('K', k);
      return;
    }
    if (next === 'terminated') {
      this.timerSet.disarmAll();
      const cause = this.#cause ?? new TransactionTerminatedError(`${this.request.method} transaction terminated`);
      this.#final.reject(cause);
      callUser(this.options.logger, 'onTerminated', this.options.onTerminated);
      callUser(this.options.logger, 'terminated', this.#user.terminated);
    }
  }

  #fail(error: ClientTransactionError): NonInviteClientState {
    this.#cause = error;
    if (!this.#final.settled) callUser(this.options.logger, 'error', this.#user.error, error);
    return 'terminated';
  }

  #passUp(response: SipResponse): void {
    callUser(this.options.logger, 'response', this.#user.response, response);
  }

  #send(): void {
    this.transmit(this.request);
  }
}

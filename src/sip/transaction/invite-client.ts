/**
 * The INVITE client transaction (RFC 3261 §17.1.1, Figure 5, as updated by RFC 6026 §7.2).
 *
 * ```
 *              start: send INVITE, Timer A (unreliable), Timer B
 *                          |
 *   Timer A: resend,  +---------+  1xx: pass up      +------------+  1xx: pass up
 *   A=2A              | calling |------------------->| proceeding |
 *                     +---------+                    +------------+
 *   300-699: pass up, send ACK |  2xx: pass up       | 2xx: pass up  | 300-699: pass up, ACK
 *                     v        +---------------------+---------+     v
 *              +-----------+                                   v  +-----------+
 *              | completed | 300-699: resend ACK       +----------+ 2xx: pass up
 *              +-----------+                           | accepted |
 *   Timer D (32 s unreliable, 0 reliable)              +----------+ Timer M (64*T1)
 *                     v                                      v
 *                                terminated
 * Timer B in calling, or a transport error: terminated, TU informed.
 * ```
 *
 * RFC 6026: a 2xx takes the transaction to `accepted` (not straight to terminated), where
 * further 2xx responses (retransmissions, forks) still go to the TU, which ACKs them.
 *
 * After a CANCEL was sent for this INVITE (input `cancel-sent`), the transaction gives up
 * 64*T1 later if no final response came (RFC 3261 §9.1).
 */
import type { SipRequest, SipResponse } from '../message/index.js';
import type { TransportError } from '../transport/errors.js';
import { buildNon2xxAck } from './derived-requests.js';
import { TransactionTerminatedError, TransactionTimeoutError } from './errors.js';
import { TransactionMachine } from './machine.js';
import { timeout64, timerD } from './timers.js';
import {
  type ClientTransactionError,
  type ClientTransactionUser,
  type TransactionOptions,
  Outcome,
  callUser,
} from './types.js';

export type InviteClientState = 'calling' | 'proceeding' | 'completed' | 'accepted' | 'terminated';

export type InviteClientInput =
  | { readonly type: 'response'; readonly response: SipResponse }
  | { readonly type: 'timer-a' }
  | { readonly type: 'timer-b' }
  | { readonly type: 'timer-d' }
  | { readonly type: 'timer-m' }
  /** A CANCEL for this INVITE was sent: arm the 64*T1 give-up timer (§9.1). */
  | { readonly type: 'cancel-sent' }
  /** No final response 64*T1 after the CANCEL. */
  | { readonly type: 'timer-cancel' }
  | { readonly type: 'transport-error'; readonly error: TransportError }
  | { readonly type: 'terminate' };

type TimerName = 'A' | 'B' | 'D' | 'M' | 'cancel';

const TIMER_INPUT = {
  A: { type: 'timer-a' },
  B: { type: 'timer-b' },
  D: { type: 'timer-d' },
  M: { type: 'timer-m' },
  cancel: { type: 'timer-cancel' },
} as const satisfies Record<TimerName, InviteClientInput>;

export class InviteClientTransaction extends TransactionMachine<InviteClientState, InviteClientInput, TimerName> {
  readonly kind = 'invite-client' as const;
  readonly request: SipRequest;
  readonly #user: ClientTransactionUser;
  readonly #final = new Outcome<SipResponse>();
  #started = false;
  #intervalA: number;
  #ack: SipRequest | undefined;
  #cause: Error | undefined;

  protected readonly steps = {
    calling: (input: InviteClientInput) => this.#calling(input),
    proceeding: (input: InviteClientInput) => this.#proceeding(input),
    completed: (input: InviteClientInput) => this.#completed(input),
    accepted: (input: InviteClientInput) => this.#accepted(input),
  };
  protected readonly timerInputs = TIMER_INPUT;

  constructor(request: SipRequest, options: TransactionOptions, user: ClientTransactionUser = {}) {
    super('calling', options);
    this.request = request;
    this.#user = user;
    this.#intervalA = this.timers.t1;
  }

  /**
   * The first final response (the first 2xx, or the non-2xx); rejects with
   * `TransactionTimeoutError` (Timer B, or no answer after CANCEL), `TransportError` or
   * `TransactionTerminatedError`.
   */
  get final(): Promise<SipResponse> {
    return this.#final.promise;
  }

  /** The ACK this transaction sent for a non-2xx final, once it did. */
  get ack(): SipRequest | undefined {
    return this.#ack;
  }

  /** Send the INVITE and arm Timers A and B. Call once. */
  start(): void {
    if (this.#started || this.state === 'terminated') return;
    this.#started = true;
    this.#send(this.request);
    if (!this.reliable) this.arm('A', this.#intervalA);
    this.arm('B', timeout64(this.timers));
  }

  // ───────────── states ─────────────

  #calling(input: InviteClientInput): InviteClientState {
    switch (input.type) {
      case 'timer-a':
        this.#send(this.request);
        this.#intervalA *= 2;
        this.arm('A', this.#intervalA);
        return 'calling';
      case 'timer-b':
        return this.#fail(new TransactionTimeoutError('B', 'no response to INVITE within 64*T1'));
      default:
        return this.#waiting(input, 'calling');
    }
  }

  #proceeding(input: InviteClientInput): InviteClientState {
    return this.#waiting(input, 'proceeding');
  }

  /** Calling and proceeding alike: responses, CANCEL timer, errors. */
  #waiting(input: InviteClientInput, stay: InviteClientState): InviteClientState {
    switch (input.type) {
      case 'response': {
        const res = input.response;
        this.#passUp(res);
        if (res.status < 200) return 'proceeding';
        this.#final.resolve(res);
        if (res.status < 300) return 'accepted';
        this.#ack = buildNon2xxAck(this.request, res);
        this.#send(this.#ack);
        return 'completed';
      }
      case 'cancel-sent':
        this.arm('cancel', timeout64(this.timers));
        return stay;
      case 'timer-cancel':
        return this.#fail(new TransactionTimeoutError('cancel', 'no final response to INVITE within 64*T1 after CANCEL'));
      case 'transport-error':
        return this.#fail(input.error);
      case 'terminate':
        this.#cause = new TransactionTerminatedError('INVITE transaction terminated before a final response');
        return 'terminated';
      default:
        return stay;
    }
  }

  #completed(input: InviteClientInput): InviteClientState {
    switch (input.type) {
      case 'response':
        // A retransmitted non-2xx final: ACK it again, do not pass it up.
        if (input.response.status >= 300 && this.#ack !== undefined) this.#send(this.#ack);
        return 'completed';
      case 'timer-d':
      case 'terminate':
        return 'terminated';
      case 'transport-error':
        callUser(this.options.logger, 'error', this.#user.error, input.error);
        return 'terminated';
      default:
        return 'completed';
    }
  }

  #accepted(input: InviteClientInput): InviteClientState {
    switch (input.type) {
      case 'response':
        // RFC 6026 §7.2: 2xx retransmissions and forked 2xx go to the TU; others are absorbed.
        if (input.response.status >= 200 && input.response.status < 300) this.#passUp(input.response);
        return 'accepted';
      case 'timer-m':
      case 'terminate':
        return 'terminated';
      default:
        return 'accepted';
    }
  }

  // ───────────── actions ─────────────

  protected entered(next: InviteClientState): void {
    switch (next) {
      case 'proceeding':
        this.timerSet.disarm('A');
        this.timerSet.disarm('B');
        return;
      case 'completed': {
        this.timerSet.disarmAll();
        const d = timerD(this.timers, this.reliable);
        if (d === 0) this.moveTo('terminated');
        else this.arm('D', d);
        return;
      }
      case 'accepted':
        this.timerSet.disarmAll();
        this.arm('M', timeout64(this.timers));
        return;
      case 'terminated': {
        this.timerSet.disarmAll();
        this.#final.reject(this.#cause ?? new TransactionTerminatedError('INVITE transaction terminated'));
        callUser(this.options.logger, 'onTerminated', this.options.onTerminated);
        callUser(this.options.logger, 'terminated', this.#user.terminated);
        return;
      }
      case 'calling':
        return;
    }
  }

  #fail(error: ClientTransactionError): InviteClientState {
    this.#cause = error;
    callUser(this.options.logger, 'error', this.#user.error, error);
    return 'terminated';
  }

  #passUp(response: SipResponse): void {
    callUser(this.options.logger, 'response', this.#user.response, response);
  }

  #send(message: SipRequest): void {
    this.transmit(message);
  }

}

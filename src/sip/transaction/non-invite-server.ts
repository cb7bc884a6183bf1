/**
 * The non-INVITE server transaction (RFC 3261 §17.2.2, Figure 8).
 *
 * ```
 *                 request received: pass up to the TU
 *                          |
 *                     +--------+  request retransmitted: absorbed
 *                     | trying |
 *                     +--------+ ----- 1xx from TU: send -----+
 *                          |                                  v
 *                          |                          +------------+  1xx from TU: send
 *          final from TU:  |                          | proceeding |  request: resend last 1xx
 *          send            |                          +------------+
 *                          v       final from TU: send      |
 *                   +-----------+ <-------------------------+
 *                   | completed |  request: resend the final
 *                   +-----------+  Timer J (64*T1 unreliable, 0 reliable) --> terminated
 * Transport error while sending: terminated, TU informed.
 * ```
 */
import { type SipRequest, type SipResponse, buildResponse, type ResponseExtras } from '../message/index.js';
import type { TransportError } from '../transport/errors.js';
import { TransactionTerminatedError } from './errors.js';
import { TransactionMachine } from './machine.js';
import { timerJ } from './timers.js';
import { type ServerTransactionUser, type TransactionOptions, callUser } from './types.js';

export type NonInviteServerState = 'trying' | 'proceeding' | 'completed' | 'terminated';

export type NonInviteServerInput =
  /** The request arrived again (a retransmission). */
  | { readonly type: 'request'; readonly request: SipRequest }
  /** The TU sends a response. */
  | { readonly type: 'respond'; readonly response: SipResponse }
  | { readonly type: 'timer-j' }
  | { readonly type: 'transport-error'; readonly error: TransportError }
  | { readonly type: 'terminate' };

type TimerName = 'J';

const TIMER_INPUT = { J: { type: 'timer-j' } } as const satisfies Record<TimerName, NonInviteServerInput>;

export class NonInviteServerTransaction extends TransactionMachine<NonInviteServerState, NonInviteServerInput, TimerName> {
  readonly kind = 'non-invite-server' as const;
  readonly request: SipRequest;
  #user: ServerTransactionUser = {};
  #last: SipResponse | undefined;

  protected readonly steps = {
    trying: (input: NonInviteServerInput) => this.#trying(input),
    proceeding: (input: NonInviteServerInput) => this.#proceeding(input),
    completed: (input: NonInviteServerInput) => this.#completed(input),
  };
  protected readonly timerInputs = TIMER_INPUT;

  constructor(request: SipRequest, options: TransactionOptions) {
    super('trying', options);
    this.request = request;
  }

  /** The last response sent, if any. */
  get lastResponse(): SipResponse | undefined {
    return this.#last;
  }

  /** Set the callbacks of the TU (replacing earlier ones). */
  setUser(user: ServerTransactionUser): void {
    this.#user = user;
  }

  /**
   * Send a response. Throws `TransactionTerminatedError` once a final response was sent
   * or the transaction ended.
   */
  respond(response: SipResponse): void {
    if (this.state === 'completed' || this.state === 'terminated') {
      throw new TransactionTerminatedError(
        `${this.request.method} transaction is ${this.state}: cannot send ${response.status}`,
      );
    }
    this.handle({ type: 'respond', response });
  }

  /** Build a response to the request (`buildResponse`) and send it. */
  reply(status: number, reason?: string, extras?: ResponseExtras): SipResponse {
    const response = buildResponse(this.request, status, reason, extras);
    this.respond(response);
    return response;
  }

  // ───────────── states ─────────────

  #trying(input: NonInviteServerInput): NonInviteServerState {
    switch (input.type) {
      case 'request':
        return 'trying'; // absorbed: nothing to resend yet
      case 'respond':
        return this.#respond(input.response);
      default:
        return this.#common(input, 'trying');
    }
  }

  #proceeding(input: NonInviteServerInput): NonInviteServerState {
    switch (input.type) {
      case 'request':
        this.#resend();
        return 'proceeding';
      case 'respond':
        return this.#respond(input.response);
      default:
        return this.#common(input, 'proceeding');
    }
  }

  #completed(input: NonInviteServerInput): NonInviteServerState {
    switch (input.type) {
      case 'request':
        this.#resend();
        return 'completed';
      case 'timer-j':
        return 'terminated';
      case 'respond':
        return 'completed'; // a second final is not sent
      default:
        return this.#common(input, 'completed');
    }
  }

  #common(input: NonInviteServerInput, stay: NonInviteServerState): NonInviteServerState {
    switch (input.type) {
      case 'transport-error':
        callUser(this.options.logger, 'error', this.#user.error, input.error);
        return 'terminated';
      case 'terminate':
        return 'terminated';
      default:
        return stay;
    }
  }

  // ───────────── actions ─────────────

  #respond(response: SipResponse): NonInviteServerState {
    this.#last = response;
    this.#send(response);
    return response.status < 200 ? 'proceeding' : 'completed';
  }

  #resend(): void {
    if (this.#last !== undefined) this.#send(this.#last);
  }

  protected entered(next: NonInviteServerState): void {
    if (next === 'completed') {
      const j = timerJ(this.timers, this.reliable);
      if (j === 0) this.moveTo('terminated');
      else this.arm('J', j);
      return;
    }
    if (next === 'terminated') {
      this.timerSet.disarmAll();
      callUser(this.options.logger, 'onTerminated', this.options.onTerminated);
      callUser(this.options.logger, 'terminated', this.#user.terminated);
    }
  }

  #send(response: SipResponse): void {
    this.transmit(response);
  }
}

/**
 * The INVITE server transaction (RFC 3261 §17.2.1, Figure 7, as updated by RFC 6026 §7.1).
 *
 * ```
 *               INVITE received: pass up to the TU; 100 Trying if the TU is silent 200 ms
 *                          |
 *                    +------------+  INVITE again: resend the last provisional
 *                    | proceeding |  1xx from TU: send
 *                    +------------+
 *     300-699 from TU: send |   | 2xx from TU: send
 *     Timer G (unreliable),  |   +------------------------------+
 *     Timer H                v                                  v
 *                    +-----------+  INVITE again: resend   +----------+ INVITE again: absorbed
 *                    | completed |  Timer G: resend,       | accepted | ACK: pass up to the TU
 *                    +-----------+  G=min(2G,T2)           +----------+ 2xx from TU: send
 *               ACK       |     Timer H: TU informed            | Timer L (64*T1)
 *                         v             |                       |
 *                    +-----------+      |                       |
 *                    | confirmed | ACK: absorbed                |
 *                    +-----------+      |                       |
 *   Timer I (T4 unreliable, 0 reliable) v                       v
 *                                   terminated
 * ```
 *
 * The 2xx itself is retransmitted by the TU (RFC 3261 §13.3.1.4, RFC 6026), not here:
 * see `retransmit2xx` in `retransmit-2xx.ts`.
 */
import { randomBytes } from 'node:crypto';
import {
  type ResponseExtras,
  type SipRequest,
  type SipResponse,
  buildResponse,
  getTo,
} from '../message/index.js';
import type { TransportError } from '../transport/errors.js';
import { TransactionTerminatedError, TransactionTimeoutError } from './errors.js';
import { TransactionMachine } from './machine.js';
import { timeout64, timerT4 } from './timers.js';
import { type ServerTransactionUser, type TransactionOptions, callUser } from './types.js';

export type InviteServerState = 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';

export type InviteServerInput =
  /** The INVITE arrived again (a retransmission). */
  | { readonly type: 'request'; readonly request: SipRequest }
  /** An ACK matched this transaction. */
  | { readonly type: 'ack'; readonly request: SipRequest }
  /** A CANCEL matched this transaction (the layer answers the CANCEL itself). */
  | { readonly type: 'cancel'; readonly request: SipRequest }
  /** The TU sends a response. */
  | { readonly type: 'respond'; readonly response: SipResponse }
  /** The TU was silent for 200 ms: send 100 Trying. */
  | { readonly type: 'timer-trying' }
  | { readonly type: 'timer-g' }
  | { readonly type: 'timer-h' }
  | { readonly type: 'timer-i' }
  | { readonly type: 'timer-l' }
  | { readonly type: 'transport-error'; readonly error: TransportError }
  | { readonly type: 'terminate' };

export interface InviteServerOptions extends TransactionOptions {
  /**
   * Send 100 Trying when the TU has sent nothing after this many ms (§17.2.1 says 200);
   * `false` leaves it to the TU.
   */
  readonly autoTrying?: number | false;
  /** Where an ACK received in `accepted` goes (the ACK for the 2xx belongs to the TU). */
  readonly passAck?: (ack: SipRequest) => void;
}

type TimerName = 'trying' | 'G' | 'H' | 'I' | 'L';

const TIMER_INPUT = {
  trying: { type: 'timer-trying' },
  G: { type: 'timer-g' },
  H: { type: 'timer-h' },
  I: { type: 'timer-i' },
  L: { type: 'timer-l' },
} as const satisfies Record<TimerName, InviteServerInput>;

/** A fresh To tag. */
export function newTag(): string {
  return randomBytes(6).toString('hex');
}

export class InviteServerTransaction extends TransactionMachine<InviteServerState, InviteServerInput, TimerName> {
  readonly kind = 'invite-server' as const;
  readonly request: SipRequest;
  #user: ServerTransactionUser = {};
  #last: SipResponse | undefined;
  #intervalG: number;
  #toTag: string | undefined;

  readonly #passAck: InviteServerOptions['passAck'];
  protected readonly steps = {
    proceeding: (input: InviteServerInput) => this.#proceeding(input),
    completed: (input: InviteServerInput) => this.#completed(input),
    confirmed: (input: InviteServerInput) => this.#confirmed(input),
    accepted: (input: InviteServerInput) => this.#accepted(input),
  };
  protected readonly timerInputs = TIMER_INPUT;

  constructor(request: SipRequest, options: InviteServerOptions) {
    super('proceeding', options);
    this.#passAck = options.passAck;
    this.request = request;
    this.#intervalG = this.timers.t1;
    const trying = options.autoTrying ?? 200;
    if (trying !== false) this.arm('trying', trying);
  }

  get lastResponse(): SipResponse | undefined {
    return this.#last;
  }

  /**
   * The To tag of this transaction's responses: the one the TU put on its first response
   * with a tag, or one made up for a 487 / 100-less answer.
   */
  get toTag(): string | undefined {
    return this.#toTag;
  }

  /** The To tag, made up now if no response carried one yet (the 200 to a CANCEL shares it, §9.2). */
  ensureToTag(): string {
    this.#toTag ??= newTag();
    return this.#toTag;
  }

  setUser(user: ServerTransactionUser): void {
    this.#user = user;
  }

  /**
   * Send a response. In `proceeding` any status; in `accepted` only a 2xx (the TU's
   * retransmission). Otherwise throws `TransactionTerminatedError`.
   */
  respond(response: SipResponse): void {
    const ok =
      this.state === 'proceeding' ||
      (this.state === 'accepted' && response.status >= 200 && response.status < 300);
    if (!ok) {
      throw new TransactionTerminatedError(`INVITE transaction is ${this.state}: cannot send ${response.status}`);
    }
    this.handle({ type: 'respond', response });
  }

  /**
   * Build a response (`buildResponse`, with this transaction's To tag on every non-100
   * response, made up if none was used yet) and send it.
   */
  reply(status: number, reason?: string, extras?: ResponseExtras): SipResponse {
    const toTag = status === 100 ? undefined : (extras?.toTag ?? this.#toTag ?? newTag());
    const response = buildResponse(this.request, status, reason, { ...extras, ...(toTag === undefined ? {} : { toTag }) });
    this.respond(response);
    return response;
  }

  // ───────────── states ─────────────

  #proceeding(input: InviteServerInput): InviteServerState {
    switch (input.type) {
      case 'request':
        if (this.#last !== undefined) this.#send(this.#last);
        return 'proceeding';
      case 'respond':
        return this.#respond(input.response);
      case 'timer-trying':
        if (this.#last === undefined) this.#respond(buildResponse(this.request, 100));
        return 'proceeding';
      case 'cancel': {
        // RFC 3261 §9.2: the INVITE is answered 487 with the tag of earlier responses.
        const tag = this.#toTag ?? newTag();
        const next = this.#respond(buildResponse(this.request, 487, undefined, { toTag: tag }));
        callUser(this.options.logger, 'cancelled', this.#user.cancelled, input.request);
        return next;
      }
      default:
        return this.#common(input, 'proceeding');
    }
  }

  #completed(input: InviteServerInput): InviteServerState {
    switch (input.type) {
      case 'request':
        if (this.#last !== undefined) this.#send(this.#last);
        return 'completed';
      case 'timer-g':
        if (this.#last !== undefined) this.#send(this.#last);
        this.#intervalG = Math.min(2 * this.#intervalG, this.timers.t2);
        this.arm('G', this.#intervalG);
        return 'completed';
      case 'timer-h':
        callUser(
          this.options.logger,
          'error',
          this.#user.error,
          new TransactionTimeoutError('H', `no ACK for ${this.#last?.status ?? 'the final response'} within 64*T1`),
        );
        return 'terminated';
      case 'ack':
        return 'confirmed';
      default:
        return this.#common(input, 'completed');
    }
  }

  #confirmed(input: InviteServerInput): InviteServerState {
    switch (input.type) {
      case 'timer-i':
      case 'terminate':
        return 'terminated';
      default:
        return 'confirmed'; // ACK and INVITE retransmissions absorbed
    }
  }

  #accepted(input: InviteServerInput): InviteServerState {
    switch (input.type) {
      case 'request':
        return 'accepted'; // RFC 6026 §7.1: absorbed, no response
      case 'ack':
        callUser(this.options.logger, 'passAck', this.#passAck, input.request);
        return 'accepted';
      case 'respond':
        this.#last = input.response;
        this.#send(input.response);
        return 'accepted';
      case 'timer-l':
        return 'terminated';
      default:
        return this.#common(input, 'accepted');
    }
  }

  #common(input: InviteServerInput, stay: InviteServerState): InviteServerState {
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

  #respond(response: SipResponse): InviteServerState {
    this.timerSet.disarm('trying');
    if (this.#toTag === undefined && response.status > 100) this.#toTag = getTo(response)?.tag;
    this.#last = response;
    this.#send(response);
    if (response.status < 200) return 'proceeding';
    return response.status < 300 ? 'accepted' : 'completed';
  }

  protected entered(next: InviteServerState): void {
    switch (next) {
      case 'completed':
        this.timerSet.disarmAll();
        if (!this.reliable) this.arm('G', this.#intervalG);
        this.arm('H', timeout64(this.timers));
        return;
      case 'confirmed': {
        this.timerSet.disarmAll();
        const i = timerT4(this.timers, this.reliable);
        if (i === 0) this.moveTo('terminated');
        else this.arm('I', i);
        return;
      }
      case 'accepted':
        this.timerSet.disarmAll();
        this.arm('L', timeout64(this.timers));
        return;
      case 'terminated':
        this.timerSet.disarmAll();
        callUser(this.options.logger, 'onTerminated', this.options.onTerminated);
        callUser(this.options.logger, 'terminated', this.#user.terminated);
        return;
      case 'proceeding':
        return;
    }
  }

  #send(response: SipResponse): void {
    this.transmit(response);
  }

}

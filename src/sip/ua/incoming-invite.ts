/**
 * An INVITE received outside any dialog, until it is answered (RFC 3261 §13.3): send
 * provisional responses (`ringing()`, `progress(183, { body })`), then `accept()` (a 2xx
 * with our Contact and the request's Record-Route, §12.1.1, which makes the
 * `InviteSession`) or `reject()`.
 *
 * A provisional response with our To tag makes an early dialog (§12.1.1); a BYE in it, or
 * a CANCEL (answered by the transaction layer, §9.2), ends the attempt: the INVITE gets
 * 487 and `cancelled` is emitted.
 */
import { TypedEmitter } from '../../events/typed-emitter.js';
import { Dialog, type DialogEndpoint, newTag } from '../dialog/index.js';
import {
  type NameAddr,
  type SipRequest,
  type SipResponse,
  getCallId,
  getContentType,
  getFrom,
  getTo,
} from '../message/index.js';
import { TransactionTerminatedError } from '../transaction/errors.js';
import type { InviteServerTransaction } from '../transaction/invite-server.js';
import type { ServerTransaction } from '../transaction/layer.js';
import { responseTarget } from '../transport/address.js';
import type { InboundMessage, TransportProtocol } from '../transport/types.js';
import { type DialogOwner, type UaContext, bodyText } from './core.js';
import { SessionStateError } from './errors.js';
import { InviteSession } from './session.js';

/**
 * - `pending`: nothing but (maybe) 100 Trying sent;
 * - `early`: a provisional response with our tag went out;
 * - `accepted`: we sent 2xx (the `InviteSession` carries on);
 * - `rejected`: we sent a non-2xx final response;
 * - `cancelled`: the caller cancelled (CANCEL, or BYE in the early dialog);
 * - `failed`: the transaction failed (transport error) or the UA closed.
 */
export type IncomingInviteState = 'pending' | 'early' | 'accepted' | 'rejected' | 'cancelled' | 'failed';

export interface IncomingInviteEvents {
  /** The caller gave up: the CANCEL (or early-dialog BYE) that did it. The INVITE got 487. */
  cancelled: [request: SipRequest];
}

/** Body and headers of a response we send. */
export interface AnswerOptions {
  /** The body (the SDP answer for `accept()`, early media for a 183). */
  readonly body?: string;
  /** Default `application/sdp`. */
  readonly contentType?: string;
  readonly headers?: readonly (readonly [string, string])[];
}

export class IncomingInvite extends TypedEmitter<IncomingInviteEvents> implements DialogOwner {
  readonly request: SipRequest;
  readonly callId: string;
  readonly from: NameAddr;
  readonly to: NameAddr;
  /** The caller's offer; `undefined` for an INVITE without body (we offer in the 2xx). */
  readonly offer: string | undefined;
  /** Media type of the body, lower-case. */
  readonly contentType: string | undefined;
  /** The transport the INVITE came over. */
  readonly transport: TransportProtocol;
  readonly #ua: UaContext;
  readonly #tx: InviteServerTransaction;
  readonly #inbound: InboundMessage;
  readonly #toTag = newTag();
  #state: IncomingInviteState = 'pending';
  #early: Dialog | undefined;

  /** @internal Made by the `UserAgent` for each new INVITE. */
  constructor(ua: UaContext, request: SipRequest, tx: InviteServerTransaction, inbound: InboundMessage, onDone: () => void) {
    super({ logger: ua.logger, name: 'IncomingInvite' });
    const from = getFrom(request);
    const to = getTo(request);
    const callId = getCallId(request);
    if (from === undefined || to === undefined || callId === undefined) throw new TypeError('INVITE without From, To or Call-ID');
    this.#ua = ua;
    this.request = request;
    this.callId = callId;
    this.from = from;
    this.to = to;
    this.offer = bodyText(request.body);
    this.contentType = getContentType(request)?.mediaType;
    this.transport = inbound.flow.transport;
    this.#tx = tx;
    this.#inbound = inbound;
    tx.setUser({
      cancelled: (cancel) => this.#cancelled(cancel),
      error: (err) => {
        if (this.#state !== 'pending' && this.#state !== 'early') return;
        ua.logger.warn({ err, callId }, 'INVITE server transaction failed');
        this.#finish('failed');
      },
      terminated: onDone,
    });
  }

  get state(): IncomingInviteState {
    return this.#state;
  }

  /** The To tag of our responses (the local tag of the dialog). */
  get toTag(): string {
    return this.#toTag;
  }

  /** Send 180 Ringing. */
  ringing(options: AnswerOptions = {}): SipResponse {
    return this.progress(180, options);
  }

  /** Send a provisional response (101–199) with our tag and Contact: the dialog becomes early. */
  progress(status = 180, options: AnswerOptions = {}): SipResponse {
    this.#assertOpen('send a provisional response');
    if (!Number.isInteger(status) || status <= 100 || status >= 200) throw new RangeError(`not a provisional status: ${status}`);
    const response = this.#reply(status, options);
    if (this.#early === undefined) {
      this.#early = Dialog.fromRequest(this.request, this.#toTag, this.#endpoint(), 'early');
      this.#ua.register(this.#early.key, this);
    }
    this.#state = 'early';
    return response;
  }

  /**
   * Answer 200 with `options.body` (the SDP answer, or our offer when the INVITE had none)
   * and return the session. The 2xx is retransmitted until the ACK comes.
   */
  accept(options: AnswerOptions = {}): InviteSession {
    this.#assertOpen('accept');
    const response = this.#reply(200, options, this.#ua.responseHeaders());
    const dialog = this.#early ?? Dialog.fromRequest(this.request, this.#toTag, this.#endpoint(), 'confirmed');
    dialog.confirm();
    this.#state = 'accepted';
    const session = new InviteSession(this.#ua, {
      dialog,
      request: this.request,
      localSdp: options.body,
      remoteSdp: this.offer,
      awaitingAck: { transaction: this.#tx, response, target: responseTarget(this.request, this.#inbound) },
    });
    this.#ua.register(dialog.key, session);
    this.#ua.established(session);
    return session;
  }

  /** Answer with a final non-2xx response (default 486 Busy Here). */
  reject(status = 486, reason?: string, options: Pick<AnswerOptions, 'headers'> = {}): SipResponse {
    this.#assertOpen('reject');
    if (!Number.isInteger(status) || status < 300 || status > 699) throw new RangeError(`not a rejection status: ${status}`);
    const response = this.#tx.reply(status, reason, {
      toTag: this.#toTag,
      headers: [...this.#ua.responseHeaders().filter(([n]) => n === 'Server'), ...(options.headers ?? [])],
    });
    this.#finish('rejected');
    return response;
  }

  // ───────────── dispatch (early dialog) ─────────────

  /** @internal */
  handleRequest(request: SipRequest, transaction: ServerTransaction): void {
    const early = this.#early;
    if (early !== undefined) {
      const verdict = early.receiveRequest(request);
      if (!verdict.ok) {
        transaction.reply(verdict.status, verdict.reason);
        return;
      }
    }
    switch (request.method) {
      case 'BYE':
        // §15.1.2: the caller ends the early dialog; the INVITE is answered 487.
        transaction.reply(200);
        if (this.#tx.state === 'proceeding') this.#tx.reply(487, undefined, { toTag: this.#toTag });
        this.#cancelled(request);
        return;
      case 'OPTIONS':
        transaction.reply(200, undefined, { headers: this.#ua.responseHeaders() });
        return;
      default:
        transaction.reply(405, undefined, { headers: this.#ua.responseHeaders().filter(([n]) => n === 'Allow') });
    }
  }

  /** @internal */
  handleAck(): void {
    // An early dialog has no 2xx to acknowledge.
  }

  /** @internal */
  handleResponse(): void {
    // We sent no request in the early dialog.
  }

  /** @internal */
  shutdown(): void {
    if (this.#state !== 'pending' && this.#state !== 'early') return;
    try {
      if (this.#tx.state === 'proceeding') this.#tx.reply(503, undefined, { toTag: this.#toTag });
    } catch {
      // the transaction is gone already
    }
    this.#finish('failed');
  }

  // ───────────── helpers ─────────────

  #endpoint(): DialogEndpoint {
    const flow = this.#inbound.flow;
    return {
      localContact: this.#ua.contact(flow.transport),
      transport: flow.transport,
      ...(flow.transport === 'UDP' ? {} : { flowId: flow.id }),
    };
  }

  #reply(status: number, options: AnswerOptions, extra: readonly [string, string][] = []): SipResponse {
    const headers: [string, string][] = [['Contact', this.#ua.contact(this.transport)]];
    for (const rr of this.request.headers.getAll('Record-Route')) headers.push(['Record-Route', rr]);
    for (const h of extra) headers.push([h[0], h[1]]);
    for (const h of options.headers ?? []) headers.push([h[0], h[1]]);
    try {
      return this.#tx.reply(status, undefined, {
        toTag: this.#toTag,
        headers,
        ...(options.body === undefined
          ? {}
          : { body: Buffer.from(options.body, 'utf8'), contentType: options.contentType ?? 'application/sdp' }),
      });
    } catch (err) {
      if (err instanceof TransactionTerminatedError) throw new SessionStateError(`the INVITE can no longer be answered: ${err.message}`);
      throw err;
    }
  }

  #assertOpen(what: string): void {
    if (this.#state !== 'pending' && this.#state !== 'early') {
      throw new SessionStateError(`cannot ${what}: the INVITE is ${this.#state}`);
    }
  }

  #cancelled(request: SipRequest): void {
    if (this.#state !== 'pending' && this.#state !== 'early') return;
    this.#finish('cancelled');
    this.safeEmit('cancelled', request);
  }

  #finish(state: IncomingInviteState): void {
    this.#state = state;
    if (this.#early !== undefined) {
      this.#early.terminate();
      this.#ua.unregister(this.#early.key, this);
    }
  }
}

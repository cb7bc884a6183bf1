/**
 * An INVITE we sent (RFC 3261 §13.2), until it is answered: provisional responses come
 * out as `progress` events, `cancel()` sends CANCEL (§9.1, when the transaction layer
 * allows: after a provisional response), and `session` settles.
 *
 * A 2xx makes the dialog (§12.1.2) and the `InviteSession`; the ACK is built and sent here
 * (§13.2.2.4) and again for every retransmission of that 2xx. A 2xx from another branch
 * of a fork (another To tag), or one that arrives after we cancelled, is ACKed and ended
 * with BYE at once. A non-2xx final response rejects `session` with
 * `InviteRejectedError` (or `InviteCancelledError` after `cancel()`); no answer with
 * `RequestTimeoutError`; a transport failure with `RequestFailedError`.
 */
import { TypedEmitter } from '../../events/typed-emitter.js';
import { Dialog } from '../dialog/index.js';
import { type SipRequest, type SipResponse, getCallId, getCSeq, getTo } from '../message/index.js';
import type { InviteClientTransaction } from '../transaction/invite-client.js';
import { Outcome } from '../transaction/types.js';
import type { Destination } from '../transport/types.js';
import { type UaContext, bodyText } from './core.js';
import { InviteCancelledError, InviteRejectedError, RequestFailedError, transactionFailure } from './errors.js';
import { InviteSession } from './session.js';

/**
 * - `calling`: sent, nothing back yet; `proceeding`: a provisional response came;
 * - `established`: a 2xx came, `session` resolved;
 * - `rejected`: a non-2xx final response; `cancelled`: ended by `cancel()`;
 * - `failed`: no answer, or the transport failed.
 */
export type OutgoingInviteState = 'calling' | 'proceeding' | 'established' | 'rejected' | 'cancelled' | 'failed';

export interface OutgoingInviteEvents {
  /** A provisional response (100 Trying, 180 Ringing, 183 Session Progress…). */
  progress: [response: SipResponse];
}

export class OutgoingInvite extends TypedEmitter<OutgoingInviteEvents> {
  readonly request: SipRequest;
  readonly callId: string;
  /** Where the INVITE went. */
  readonly destination: Destination;
  readonly #ua: UaContext;
  readonly #tx: InviteClientTransaction;
  readonly #outcome = new Outcome<InviteSession>();
  /** Sessions by remote tag: the one we keep, and forks we ended. */
  readonly #sessions = new Map<string, InviteSession>();
  #state: OutgoingInviteState = 'calling';
  #cancelRequested = false;

  /** @internal Made by `UserAgent.invite()`; sends the INVITE. */
  constructor(ua: UaContext, request: SipRequest, destination: Destination, onDone: () => void) {
    super({ logger: ua.logger, name: 'OutgoingInvite' });
    this.#ua = ua;
    this.request = request;
    this.callId = getCallId(request) ?? '';
    this.destination = destination;
    this.#tx = ua.transactions.sendRequest(request, destination, {
      response: (res) => this.#onResponse(res),
      terminated: onDone,
    }) as InviteClientTransaction;
    this.#tx.final.catch((err: unknown) => this.#fail(err));
  }

  get state(): OutgoingInviteState {
    return this.#state;
  }

  /** The established session; rejects when the INVITE fails (see the class comment). */
  get session(): Promise<InviteSession> {
    return this.#outcome.promise;
  }

  /**
   * Cancel the INVITE (§9.1). The CANCEL goes when a provisional response has come (at
   * once, or as soon as one does); `session` then rejects with `InviteCancelledError`. A
   * no-op once a final response came (hang up an established session with `bye()`).
   */
  async cancel(): Promise<void> {
    if (this.#outcome.settled) return;
    this.#cancelRequested = true;
    try {
      await this.#ua.transactions.cancel(this.#tx);
    } catch (err) {
      this.#ua.logger.debug({ err, callId: this.callId }, 'CANCEL failed');
    }
  }

  /** @internal The UA closes. */
  abort(): void {
    if (this.#outcome.settled) return;
    this.#state = 'failed';
    this.#outcome.reject(new RequestFailedError('INVITE', 'the user agent closed'));
  }

  #onResponse(res: SipResponse): void {
    if (res.status < 200) {
      if (this.#state === 'calling') this.#state = 'proceeding';
      this.safeEmit('progress', res);
      return;
    }
    if (res.status >= 300) {
      if (this.#outcome.settled) return;
      // The transaction has ACKed it (§17.1.1.3).
      if (this.#cancelRequested) {
        this.#state = 'cancelled';
        this.#outcome.reject(new InviteCancelledError(res));
      } else {
        this.#state = 'rejected';
        this.#outcome.reject(new InviteRejectedError(res));
      }
      return;
    }
    this.#on2xx(res);
  }

  #on2xx(res: SipResponse): void {
    const tag = getTo(res)?.tag;
    const known = tag === undefined ? undefined : this.#sessions.get(tag);
    if (known !== undefined) {
      known.handleResponse(res); // a retransmission: ACK again
      return;
    }
    let session: InviteSession;
    try {
      const dialog = Dialog.fromResponse(this.request, res, {
        localContact: this.#ua.contact(this.destination.transport),
        transport: this.destination.transport,
      });
      const ack = dialog.createAck(getCSeq(this.request)?.seq ?? 0);
      const destination = dialog.nextHop();
      this.#ua.transactions.sendAck(ack, destination).catch((err: unknown) => {
        this.#ua.logger.warn({ err, callId: this.callId }, 'ACK could not be sent');
      });
      session = new InviteSession(this.#ua, {
        dialog,
        request: this.request,
        localSdp: bodyText(this.request.body),
        remoteSdp: bodyText(res.body),
        ack: { request: ack, destination },
      });
      this.#sessions.set(dialog.remoteTag, session);
      this.#ua.register(dialog.key, session);
    } catch (err) {
      this.#ua.logger.warn({ err, callId: this.callId }, 'unusable 2xx to INVITE');
      if (!this.#outcome.settled) {
        this.#state = 'failed';
        this.#outcome.reject(new RequestFailedError('INVITE', `unusable 2xx: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
      }
      return;
    }
    if (!this.#outcome.settled && !this.#cancelRequested) {
      this.#state = 'established';
      this.#ua.established(session);
      this.#outcome.resolve(session);
      return;
    }
    // A second branch of a fork, or an answer that crossed our CANCEL: ACKed, now ended.
    void session.bye();
    if (!this.#outcome.settled) {
      this.#state = 'cancelled';
      this.#outcome.reject(new InviteCancelledError(res));
    }
  }

  #fail(err: unknown): void {
    if (this.#outcome.settled) return;
    if (this.#cancelRequested) {
      this.#state = 'cancelled';
      this.#outcome.reject(new InviteCancelledError(undefined, { cause: err }));
      return;
    }
    this.#state = 'failed';
    this.#outcome.reject(transactionFailure('INVITE', err));
  }
}

/**
 * An INVITE session (RFC 3261 §13–§15): a confirmed dialog with the offer/answer state on
 * it, from either side of the INVITE that made it.
 *
 * - UAS: the 2xx is retransmitted (T1 doubling to T2) until the ACK comes (RFC 3261
 *   §13.3.1.4, RFC 6026); 64*T1 without one, the session sends BYE and ends with
 *   `ack-timeout`. A BYE asked for before the ACK waits for it (§15).
 * - UAC: the ACK for the 2xx is built here and sent again for each 2xx retransmission.
 * - re-INVITE both ways (§14): one INVITE transaction at a time in either direction; a
 *   re-INVITE received while ours is pending is answered 491, one received while another
 *   received one is pending 500 with Retry-After; ours, answered 491, is retried after a
 *   random delay (2.1–4 s when we own the Call-ID, else 0–2 s, in 10 ms steps) on the
 *   injected clock. `hold()` and `unhold()` are re-INVITEs with `a=sendonly` (or
 *   `inactive`) and `a=sendrecv`.
 * - A received re-INVITE goes out as a `reinvite` event; a listener may call
 *   `respondWith()` with an answer or a rejection (now or as a promise). Unanswered, the
 *   session answers itself with its last description, its direction turned to answer the
 *   offer's (RFC 3264 §6.1: sendonly → recvonly, inactive → inactive).
 * - INFO: answered 200; `application/dtmf-relay` and `application/dtmf` bodies also come
 *   out as `dtmf` events.
 * - REFER (RFC 3515): `refer()` sends one and follows its implicit subscription; NOTIFYs
 *   that match a subscription of ours are answered 200 and come out as `notify` events,
 *   others get 481 (RFC 6665 §4.1.3).
 * - BYE from either side; a 481 or 408 (or no answer) to an in-dialog request ends the
 *   session too (§12.2.1.2).
 */
import { TypedEmitter } from '../../events/typed-emitter.js';
import type { TimerHandle } from '../clock.js';
import { type Dialog, type DialogRequestOptions, DialogTerminatedError } from '../dialog/index.js';
import { type SipRequest, type SipResponse, formatNameAddr, getContentType, getCSeq, getEventHeader, parseUri } from '../message/index.js';
import type { InviteServerTransaction } from '../transaction/invite-server.js';
import type { ServerTransaction } from '../transaction/layer.js';
import { retransmit2xx, type Retransmit2xx } from '../transaction/retransmit-2xx.js';
import { responseTarget } from '../transport/address.js';
import type { Destination, InboundMessage } from '../transport/types.js';
import { type DialogOwner, type UaContext, bodyText } from './core.js';
import { type DtmfDigit, DTMF_INFO_TYPES, formatDtmfRelay, isDtmfDigit, parseDtmfInfo } from './dtmf-info.js';
import { RequestRejectedError, SessionStateError, transactionFailure } from './errors.js';
import { type IncomingNotify, type ReferOptions, type ReferOutcome, ReferSubscription, readNotify } from './refer.js';
import { type MediaDirection, answerDirection, bumpSdpVersion, sdpDirection, withSdpDirection } from './sdp-direction.js';

/** `waiting-ack`: we (UAS) sent the 2xx and no ACK came yet. */
export type SessionState = 'waiting-ack' | 'confirmed' | 'terminated';

/**
 * Why a session ended:
 * - `local-bye`: we sent BYE; `remote-bye`: the peer did;
 * - `ack-timeout`: no ACK for our 2xx within 64*T1 (we sent BYE);
 * - `dialog-gone`: the peer answered 481 to a request in the dialog;
 * - `request-timeout`: a request in the dialog got 408 or no answer (we sent BYE);
 * - `closed`: the UA was closed.
 */
export type SessionEndReason = 'local-bye' | 'remote-bye' | 'ack-timeout' | 'dialog-gone' | 'request-timeout' | 'closed';

export interface SessionEnd {
  readonly reason: SessionEndReason;
  /** The BYE that ended it (`remote-bye`). */
  readonly request?: SipRequest;
  /** The response that ended it (`dialog-gone`, `request-timeout` with a 408). */
  readonly response?: SipResponse;
}

/** A change of session description that completed (a re-INVITE either way). */
export interface SessionModification {
  readonly by: 'local' | 'remote';
  readonly localSdp: string | undefined;
  readonly remoteSdp: string | undefined;
  /** The direction of the peer's description, when it is SDP. */
  readonly remoteDirection: MediaDirection | undefined;
}

/** What to do with a received re-INVITE. */
export type ReinviteDecision =
  | {
      readonly accept: true;
      /** The answer (or, for an offerless re-INVITE, the offer); default: the session's own. */
      readonly body?: string;
      readonly contentType?: string;
      readonly headers?: readonly (readonly [string, string])[];
    }
  | { readonly accept: false; readonly status: number; readonly reason?: string };

/** A re-INVITE received, as handed to `reinvite` listeners. */
export class IncomingReinvite {
  readonly request: SipRequest;
  /** The offer; `undefined` when the re-INVITE has no body (we must offer in the 2xx). */
  readonly offer: string | undefined;
  readonly contentType: string | undefined;
  /** Direction of the offer when it is SDP (`sendonly`/`inactive` = the peer holds us). */
  readonly direction: MediaDirection | undefined;
  #decision: Promise<ReinviteDecision> | undefined;
  #sealed = false;

  constructor(request: SipRequest) {
    this.request = request;
    this.offer = bodyText(request.body);
    this.contentType = getContentType(request)?.mediaType;
    this.direction = this.offer !== undefined && this.contentType === 'application/sdp' ? sdpDirection(this.offer) : undefined;
  }

  /**
   * Decide, now or later (a promise). Call at most once, and during the `reinvite` event:
   * once the listeners have returned, a re-INVITE nobody claimed is answered by default.
   */
  respondWith(decision: ReinviteDecision | Promise<ReinviteDecision>): void {
    if (this.#decision !== undefined) throw new SessionStateError('respondWith() was already called for this re-INVITE');
    if (this.#sealed) throw new SessionStateError('respondWith() must be called during the reinvite event');
    this.#decision = Promise.resolve(decision);
  }

  /** @internal The listeners have run: the decision, if one of them made it. */
  seal(): Promise<ReinviteDecision> | undefined {
    this.#sealed = true;
    return this.#decision;
  }
}

/** An INFO received. */
export interface IncomingInfo {
  readonly request: SipRequest;
  /** Media type, lower-case. */
  readonly contentType: string | undefined;
  readonly body: string | undefined;
}

/** A DTMF digit received in an INFO. */
export interface SessionDtmf {
  readonly digit: DtmfDigit;
  readonly durationMs: number | undefined;
  readonly request: SipRequest;
}

export interface InviteSessionEvents {
  /** UAS: the ACK for our 2xx arrived (with the answer, for a late offer). */
  confirmed: [ack: SipRequest];
  ended: [end: SessionEnd];
  reinvite: [reinvite: IncomingReinvite];
  modified: [change: SessionModification];
  info: [info: IncomingInfo];
  dtmf: [dtmf: SessionDtmf];
  /** A NOTIFY for a subscription of ours (a REFER's), answered 200. */
  notify: [notify: IncomingNotify];
}

/** @internal What a session starts from. */
export interface InviteSessionInit {
  readonly dialog: Dialog;
  /** The INVITE that made the session. */
  readonly request: SipRequest;
  readonly localSdp: string | undefined;
  readonly remoteSdp: string | undefined;
  /** UAS: the 2xx just sent, to retransmit until the ACK. */
  readonly awaitingAck?: {
    readonly transaction: InviteServerTransaction;
    readonly response: SipResponse;
    readonly target: Destination;
  };
  /** UAC: the ACK just sent, to send again for 2xx retransmissions. */
  readonly ack?: { readonly request: SipRequest; readonly destination: Destination };
}

/** The glare back-off of RFC 3261 §14.1, in ms: 2100–4000 for the Call-ID owner, else 0–2000; 10 ms steps. */
export function glareDelay(ownsCallId: boolean, random: () => number): number {
  const r = Math.min(Math.max(random(), 0), 0.999_999_999);
  return ownsCallId ? 2100 + Math.floor(r * 191) * 10 : Math.floor(r * 201) * 10;
}

interface PendingAck {
  readonly seq: number;
  readonly retransmit: Retransmit2xx;
  /** The body we offered in the 2xx (offerless re-INVITE or late offer): the ACK answers it. */
  readonly offered: boolean;
}

interface SentAck {
  readonly seq: number;
  readonly request: SipRequest;
  readonly destination: Destination;
}

const NOT_ALLOWED_HERE: ReadonlySet<string> = new Set(['INVITE', 'ACK', 'CANCEL', 'BYE']);

export class InviteSession extends TypedEmitter<InviteSessionEvents> implements DialogOwner {
  readonly dialog: Dialog;
  /** The INVITE that made the session. */
  readonly request: SipRequest;
  readonly #ua: UaContext;
  #state: SessionState;
  #localSdp: string | undefined;
  #remoteSdp: string | undefined;
  /** What we want to do with media: `sendrecv`, or `sendonly`/`inactive` while we hold. */
  #wanted: MediaDirection = 'sendrecv';
  #pendingAck: PendingAck | undefined;
  #lastAck: SentAck | undefined;
  #outgoingInvite = false;
  #incomingInvite: ServerTransaction | undefined;
  #idleWaiters: (() => void)[] = [];
  readonly #delays = new Map<TimerHandle, () => void>();
  /** REFERs we sent whose transfer is not over yet. */
  readonly #refers = new Set<ReferSubscription>();

  /** @internal Made by `IncomingInvite.accept()` and `OutgoingInvite`. */
  constructor(ua: UaContext, init: InviteSessionInit) {
    super({ logger: ua.logger, name: 'InviteSession' });
    this.#ua = ua;
    this.dialog = init.dialog;
    this.request = init.request;
    this.#localSdp = init.localSdp;
    this.#remoteSdp = init.remoteSdp;
    this.#state = init.awaitingAck === undefined ? 'confirmed' : 'waiting-ack';
    if (init.ack !== undefined) {
      this.#lastAck = { seq: getCSeq(init.ack.request)?.seq ?? 0, request: init.ack.request, destination: init.ack.destination };
    }
    if (init.awaitingAck !== undefined) {
      const { transaction, response, target } = init.awaitingAck;
      this.#awaitAck(getCSeq(init.request)?.seq ?? 0, transaction, response, target, init.remoteSdp === undefined);
    }
  }

  get role(): 'uac' | 'uas' {
    return this.dialog.role;
  }

  get state(): SessionState {
    return this.#state;
  }

  get callId(): string {
    return this.dialog.callId;
  }

  /** Our current session description (the last one the peer accepted, or that we answered with). */
  get localSdp(): string | undefined {
    return this.#localSdp;
  }

  /** The peer's current session description. */
  get remoteSdp(): string | undefined {
    return this.#remoteSdp;
  }

  /** Direction of the peer's description (`sendonly`/`inactive`: it holds us). */
  get remoteDirection(): MediaDirection | undefined {
    return this.#remoteSdp === undefined ? undefined : sdpDirection(this.#remoteSdp);
  }

  // ───────────── what the owner asks ─────────────

  /**
   * End the session with BYE. Resolves with the BYE's final response, or `undefined` when
   * none came (or the session had already ended). The session is `terminated` as soon as
   * the BYE goes (§15.1.1); as UAS, the BYE waits for the ACK of our 2xx.
   */
  async bye(): Promise<SipResponse | undefined> {
    while (this.#pendingAck !== undefined && this.#state === 'waiting-ack') await this.#waitIdle();
    if (this.#state === 'terminated') return undefined;
    const bye = this.dialog.createRequest('BYE', { headers: this.#userAgentHeader() });
    this.#end({ reason: 'local-bye' });
    return this.#sendFinal(bye).then(
      (res) => res,
      (err: unknown) => {
        this.#ua.logger.debug({ err, callId: this.callId }, 'BYE got no final response');
        return undefined;
      },
    );
  }

  /**
   * Send a re-INVITE with `body` as the offer (none: an offerless re-INVITE, the peer
   * offers in its 2xx). Waits while another INVITE transaction is in progress either way;
   * retries after 491 with the §14.1 back-off. Resolves with the 2xx (the ACK is sent);
   * rejects with `RequestRejectedError` (the session stays as it was, unless the answer was
   * 481 or 408, which end it), `RequestTimeoutError`, `RequestFailedError` or
   * `DialogTerminatedError`.
   */
  async reinvite(body?: string, options: { contentType?: string; headers?: readonly (readonly [string, string])[] } = {}): Promise<SipResponse> {
    for (let attempt = 0; ; attempt++) {
      while (this.#inviteBusy()) await this.#waitIdle();
      if (this.#state === 'terminated') throw new DialogTerminatedError('cannot re-INVITE: the session has ended');
      const response = await this.#sendReinvite(body, options);
      if (response.status < 300) return response;
      if (response.status === 491 && attempt < this.#ua.maxGlareRetries) {
        await this.#delay(glareDelay(this.dialog.ownsCallId, this.#ua.random));
        continue;
      }
      this.#failedInDialog(response);
      throw new RequestRejectedError('INVITE', response);
    }
  }

  /** Put the peer on hold: a re-INVITE offering `a=sendonly` (or `a=inactive`). */
  hold(direction: 'sendonly' | 'inactive' = 'sendonly'): Promise<SipResponse> {
    return this.#redirect(direction);
  }

  /** Take the peer off hold: a re-INVITE offering `a=sendrecv`. */
  unhold(): Promise<SipResponse> {
    return this.#redirect('sendrecv');
  }

  /** Send an INFO (RFC 6086, legacy use). Resolves with the 2xx. */
  info(body: string, contentType: string, headers?: readonly (readonly [string, string])[]): Promise<SipResponse> {
    return this.sendRequest('INFO', { body, contentType, ...(headers === undefined ? {} : { headers }) });
  }

  /** Send a DTMF digit as INFO `application/dtmf-relay` (`Signal=5`, `Duration=…`). */
  sendDtmfInfo(digit: DtmfDigit | string, durationMs = 250): Promise<SipResponse> {
    const d = digit.toUpperCase();
    if (!isDtmfDigit(d)) return Promise.reject(new TypeError(`not a DTMF digit: ${JSON.stringify(digit)}`));
    return this.info(formatDtmfRelay(d, durationMs), 'application/dtmf-relay');
  }

  /**
   * Ask the peer to call `referTo` (a SIP URI; `?X-Header=…` in it go into the peer's
   * INVITE) with REFER (RFC 3515), and follow the transfer through the NOTIFYs of the
   * implicit subscription. Resolves with how it came out, never rejects once sent;
   * rejects with `DialogTerminatedError` when the session has ended, and with a
   * `TypeError` when `referTo` is no sip:/sips: URI (nothing is sent).
   */
  refer(referTo: string, options: ReferOptions = {}): Promise<ReferOutcome> {
    if (this.#state === 'terminated') return Promise.reject(new DialogTerminatedError('cannot send REFER: the session has ended'));
    if (parseUri(referTo)?.kind !== 'sip') return Promise.reject(new TypeError(`not a SIP URI to refer to: ${JSON.stringify(referTo)}`));
    const referredBy = options.referredBy ?? formatNameAddr({ displayName: undefined, uri: this.dialog.localUri.uri, params: [] });
    const req = this.dialog.createRequest('REFER', {
      headers: [['Refer-To', `<${referTo}>`], ['Referred-By', referredBy], ...this.#userAgentHeader(), ...(options.headers ?? [])],
    });
    const subscription = new ReferSubscription({
      seq: getCSeq(req)?.seq ?? 0,
      clock: this.#ua.clock,
      timeoutMs: options.notifyTimeoutMs ?? 64 * this.#ua.timers.t1,
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      release: () => this.#refers.delete(subscription),
    });
    // Before the REFER goes: its first NOTIFY may overtake the 202.
    this.#refers.add(subscription);
    this.#sendInDialog('REFER', req).then(
      (res) => subscription.answered(res),
      (err: unknown) => subscription.failed(err),
    );
    return subscription.outcome;
  }

  /**
   * Send another request in the dialog (OPTIONS, INFO, UPDATE, NOTIFY…; not INVITE,
   * ACK, CANCEL or BYE, which have their own methods). Resolves with the 2xx.
   */
  sendRequest(method: string, options: DialogRequestOptions = {}): Promise<SipResponse> {
    if (NOT_ALLOWED_HERE.has(method)) return Promise.reject(new TypeError(`${method} is not sent with sendRequest()`));
    if (this.#state === 'terminated') return Promise.reject(new DialogTerminatedError(`cannot send ${method}: the session has ended`));
    return this.#sendInDialog(method, this.dialog.createRequest(method, options));
  }

  /** Sends a request built in the dialog; a 2xx resolves, anything else rejects (481 and 408 end the session). */
  #sendInDialog(method: string, req: SipRequest): Promise<SipResponse> {
    return this.#sendFinal(req).then(
      (res) => {
        if (res.status < 300) return res;
        this.#failedInDialog(res);
        throw new RequestRejectedError(method, res);
      },
      (err: unknown) => {
        const failure = transactionFailure(method, err);
        if (failure.code === 'request-timeout') this.#endWithBye('request-timeout');
        throw failure;
      },
    );
  }

  // ───────────── dispatch (DialogOwner) ─────────────

  /** @internal */
  handleRequest(request: SipRequest, transaction: ServerTransaction, inbound: InboundMessage): void {
    const verdict = this.dialog.receiveRequest(request);
    if (!verdict.ok) {
      this.#ua.logger.debug({ callId: this.callId, detail: verdict.detail }, 'in-dialog request refused');
      transaction.reply(verdict.status, verdict.reason);
      return;
    }
    switch (request.method) {
      case 'BYE':
        transaction.reply(200, undefined, { headers: this.#serverHeader() });
        this.#end({ reason: 'remote-bye', request });
        return;
      case 'INVITE':
        if (transaction.kind === 'invite-server') this.#onReinvite(request, transaction, inbound);
        return;
      case 'INFO':
        this.#onInfo(request, transaction);
        return;
      case 'NOTIFY':
        this.#onNotify(request, transaction);
        return;
      case 'OPTIONS':
        transaction.reply(200, undefined, { headers: this.#ua.responseHeaders() });
        return;
      default:
        transaction.reply(405, undefined, { headers: this.#ua.responseHeaders().filter(([n]) => n === 'Allow') });
    }
  }

  /** @internal */
  handleAck(ack: SipRequest): void {
    const pending = this.#pendingAck;
    const seq = getCSeq(ack)?.seq;
    if (pending === undefined || seq !== pending.seq) return; // a duplicate, or an ACK for a non-2xx
    pending.retransmit.stop();
    this.#pendingAck = undefined;
    const body = bodyText(ack.body);
    if (pending.offered && body !== undefined) {
      this.#remoteSdp = body;
      this.#modified('remote');
    }
    if (this.#state === 'waiting-ack') {
      this.#state = 'confirmed';
      this.safeEmit('confirmed', ack);
    }
    this.#notifyIdle();
  }

  /** @internal A 2xx retransmitted after its transaction ended: ACK it again. */
  handleResponse(response: SipResponse): void {
    const cseq = getCSeq(response);
    const last = this.#lastAck;
    if (response.status < 200 || response.status >= 300 || cseq?.method !== 'INVITE' || last === undefined) return;
    if (cseq.seq === last.seq) this.#sendAck(last);
  }

  /** @internal */
  shutdown(): void {
    this.#end({ reason: 'closed' });
  }

  // ───────────── re-INVITE ─────────────

  #inviteBusy(): boolean {
    return this.#outgoingInvite || this.#incomingInvite !== undefined || this.#pendingAck !== undefined;
  }

  #waitIdle(): Promise<void> {
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #notifyIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  #redirect(direction: MediaDirection): Promise<SipResponse> {
    const local = this.#localSdp;
    if (local === undefined) return Promise.reject(new SessionStateError('no local session description to re-offer'));
    const before = this.#wanted;
    this.#wanted = direction;
    return this.reinvite(this.#describe(direction)).catch((err: unknown) => {
      if (this.#wanted === direction) this.#wanted = before;
      throw err;
    });
  }

  /** Our description with `direction`, its version bumped when that changes it. */
  #describe(direction: MediaDirection): string | undefined {
    const local = this.#localSdp;
    if (local === undefined) return undefined;
    if (sdpDirection(local) === direction) return local;
    return bumpSdpVersion(withSdpDirection(local, direction));
  }

  async #sendReinvite(
    body: string | undefined,
    options: { contentType?: string; headers?: readonly (readonly [string, string])[] },
  ): Promise<SipResponse> {
    const headers = [...this.#ua.requestHeaders(), ...(options.headers ?? [])];
    const req = this.dialog.createRequest('INVITE', {
      headers,
      ...(body === undefined ? {} : { body, contentType: options.contentType ?? 'application/sdp' }),
    });
    const seq = getCSeq(req)?.seq ?? 0;
    this.#outgoingInvite = true;
    try {
      const destination = this.dialog.nextHop();
      const tx = this.#ua.transactions.sendRequest(req, destination, {
        response: (res) => {
          if (res.status >= 200 && res.status < 300) this.#reinviteAccepted(res, seq, body);
        },
      });
      return await tx.final.catch((err: unknown) => {
        const failure = transactionFailure('INVITE', err);
        if (failure.code === 'request-timeout') this.#endWithBye('request-timeout');
        throw failure;
      });
    } finally {
      this.#outgoingInvite = false;
      this.#notifyIdle();
    }
  }

  /** A 2xx to our re-INVITE (first or retransmitted): ACK it, take the answer. */
  #reinviteAccepted(response: SipResponse, seq: number, offer: string | undefined): void {
    const last = this.#lastAck;
    if (last !== undefined && last.seq === seq) {
      this.#sendAck(last);
      return;
    }
    if (this.#state === 'terminated') {
      // We hung up meanwhile: still ACK, the peer's transaction needs it.
      this.#sendAck(this.#buildAck(seq, response, undefined));
      return;
    }
    this.dialog.refreshTarget(response);
    const answer = bodyText(response.body);
    let ackBody: string | undefined;
    if (offer === undefined && answer !== undefined) {
      // Offerless re-INVITE: the 2xx offers, the ACK answers with what we would have.
      ackBody = this.#answerTo(answer);
      this.#localSdp = ackBody ?? this.#localSdp;
    } else if (offer !== undefined) {
      this.#localSdp = offer;
    }
    if (answer !== undefined) this.#remoteSdp = answer;
    const ack = this.#buildAck(seq, response, ackBody);
    this.#lastAck = ack;
    this.#sendAck(ack);
    this.#modified('local');
  }

  #buildAck(seq: number, _response: SipResponse, body: string | undefined): SentAck {
    const request = this.dialog.createAck(seq, body === undefined ? {} : { body, contentType: 'application/sdp' });
    return { seq, request, destination: this.dialog.nextHop() };
  }

  #sendAck(ack: SentAck): void {
    this.#ua.transactions.sendAck(ack.request, ack.destination).catch((err: unknown) => {
      this.#ua.logger.warn({ err, callId: this.callId }, 'ACK could not be sent');
    });
  }

  #onReinvite(request: SipRequest, tx: InviteServerTransaction, inbound: InboundMessage): void {
    if (this.#outgoingInvite || this.#pendingAck !== undefined) {
      // §14.2: glare with our own re-INVITE (or our 2xx still waits for its ACK).
      tx.reply(491, undefined, { headers: this.#serverHeader() });
      return;
    }
    if (this.#incomingInvite !== undefined) {
      // §14.2: a second INVITE before we answered the first.
      const retryAfter = Math.floor(this.#ua.random() * 11);
      tx.reply(500, undefined, { headers: [['Retry-After', String(retryAfter)]] });
      return;
    }
    this.#incomingInvite = tx;
    tx.setUser({
      // A CANCEL of the re-INVITE: the transaction layer answered 487; the session stays as it was.
      cancelled: () => {
        if (this.#incomingInvite !== tx) return;
        this.#incomingInvite = undefined;
        this.#notifyIdle();
      },
    });
    const reinvite = new IncomingReinvite(request);
    this.safeEmit('reinvite', reinvite);
    const decision = reinvite.seal();
    if (decision === undefined) {
      this.#answerReinvite(reinvite, tx, inbound, this.#defaultDecision(reinvite));
      return;
    }
    decision.then(
      (d) => this.#answerReinvite(reinvite, tx, inbound, d),
      (err: unknown) => {
        this.#ua.logger.error({ err, callId: this.callId }, 're-INVITE handler failed');
        this.#answerReinvite(reinvite, tx, inbound, { accept: false, status: 500 });
      },
    );
  }

  #defaultDecision(reinvite: IncomingReinvite): ReinviteDecision {
    if (reinvite.offer !== undefined && reinvite.contentType !== 'application/sdp') return { accept: false, status: 488 };
    const body = reinvite.offer === undefined ? this.#describe(this.#wanted) : this.#answerTo(reinvite.offer);
    return body === undefined ? { accept: false, status: 488 } : { accept: true, body };
  }

  /** Our description turned to answer `offer`'s direction. */
  #answerTo(offer: string): string | undefined {
    const direction = sdpDirection(offer);
    return direction === undefined ? undefined : this.#describe(answerDirection(direction, this.#wanted));
  }

  #answerReinvite(reinvite: IncomingReinvite, tx: InviteServerTransaction, inbound: InboundMessage, decision: ReinviteDecision): void {
    if (this.#incomingInvite !== tx) return; // ended meanwhile (the INVITE got 487)
    this.#incomingInvite = undefined;
    try {
      if (!decision.accept) {
        tx.reply(decision.status < 300 ? 500 : decision.status, decision.reason, { headers: this.#serverHeader() });
        return;
      }
      let text = decision.body;
      if (text === undefined) {
        const fallback = this.#defaultDecision(reinvite);
        text = fallback.accept ? fallback.body : undefined;
      }
      if (text === undefined) {
        tx.reply(488, undefined, { headers: this.#serverHeader() });
        return;
      }
      const headers: [string, string][] = [
        ['Contact', this.#ua.contact(this.dialog.transport)],
        ...this.#ua.responseHeaders(),
        ...(decision.headers ?? []).map(([n, v]): [string, string] => [n, v]),
      ];
      const response = tx.reply(200, undefined, {
        headers,
        body: Buffer.from(text, 'utf8'),
        contentType: decision.contentType ?? 'application/sdp',
      });
      this.dialog.refreshTarget(reinvite.request);
      this.#localSdp = text;
      if (reinvite.offer !== undefined) this.#remoteSdp = reinvite.offer;
      const seq = getCSeq(reinvite.request)?.seq ?? 0;
      this.#awaitAck(seq, tx, response, responseTarget(tx.request, inbound), reinvite.offer === undefined);
      if (reinvite.offer !== undefined) this.#modified('remote');
    } catch (err) {
      this.#ua.logger.warn({ err, callId: this.callId }, 'could not answer the re-INVITE');
    } finally {
      this.#notifyIdle();
    }
  }

  // ───────────── 2xx retransmission (UAS) ─────────────

  #awaitAck(seq: number, tx: InviteServerTransaction, response: SipResponse, target: Destination, offered: boolean): void {
    const retransmit = retransmit2xx({
      clock: this.#ua.clock,
      timers: this.#ua.timers,
      reliable: tx.reliable,
      send: () =>
        tx.state === 'accepted' ? tx.respond(response) : this.#ua.transactions.sendStateless(response, target),
      giveUp: () => {
        if (this.#pendingAck?.retransmit !== retransmit) return;
        this.#pendingAck = undefined;
        this.#ua.logger.warn({ callId: this.callId }, 'no ACK for our 2xx: ending the session');
        this.#endWithBye('ack-timeout');
      },
      error: (err) => this.#ua.logger.warn({ err, callId: this.callId }, '2xx retransmission failed'),
    });
    this.#pendingAck = { seq, retransmit, offered };
  }

  // ───────────── INFO ─────────────

  #onInfo(request: SipRequest, tx: ServerTransaction): void {
    tx.reply(200, undefined, { headers: this.#serverHeader() });
    const contentType = getContentType(request)?.mediaType;
    const body = bodyText(request.body);
    this.safeEmit('info', { request, contentType, body });
    if (contentType !== undefined && DTMF_INFO_TYPES.has(contentType) && body !== undefined) {
      const dtmf = parseDtmfInfo(contentType, body);
      if (dtmf !== undefined) this.safeEmit('dtmf', { digit: dtmf.digit, durationMs: dtmf.durationMs, request });
    }
  }

  // ───────────── NOTIFY ─────────────

  #onNotify(request: SipRequest, tx: ServerTransaction): void {
    const notify = readNotify(request, getEventHeader(request));
    if (notify === undefined) {
      tx.reply(400, 'Missing or bad Event header', { headers: this.#serverHeader() });
      return;
    }
    const subscription = [...this.#refers].find((s) => s.matches(notify.event));
    if (subscription === undefined) {
      tx.reply(481, 'Subscription does not exist', { headers: this.#serverHeader() });
      return;
    }
    tx.reply(200, undefined, { headers: this.#serverHeader() });
    this.safeEmit('notify', notify);
    subscription.notified(notify);
  }

  // ───────────── ending ─────────────

  /** §12.2.1.2: 481 ends the dialog; 408 ends it with a BYE. */
  #failedInDialog(response: SipResponse): void {
    if (response.status === 481) this.#end({ reason: 'dialog-gone', response });
    else if (response.status === 408) this.#endWithBye('request-timeout', response);
  }

  #endWithBye(reason: SessionEndReason, response?: SipResponse): void {
    if (this.#state === 'terminated') return;
    let bye: SipRequest | undefined;
    try {
      bye = this.dialog.createRequest('BYE', { headers: this.#userAgentHeader() });
    } catch {
      bye = undefined;
    }
    this.#end(response === undefined ? { reason } : { reason, response });
    if (bye !== undefined) {
      this.#sendFinal(bye).catch((err: unknown) => this.#ua.logger.debug({ err, callId: this.callId }, 'BYE failed'));
    }
  }

  #end(end: SessionEnd): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.dialog.terminate();
    this.#pendingAck?.retransmit.stop();
    this.#pendingAck = undefined;
    const incoming = this.#incomingInvite;
    this.#incomingInvite = undefined;
    if (incoming?.kind === 'invite-server' && incoming.state === 'proceeding') {
      // §15.1.2: a request pending in the dialog gets 487.
      try {
        incoming.reply(487);
      } catch {
        // already answered
      }
    }
    for (const [handle, cancel] of this.#delays) {
      this.#ua.clock.clearTimeout(handle);
      cancel();
    }
    this.#delays.clear();
    for (const refer of [...this.#refers]) refer.sessionEnded();
    this.#ua.unregister(this.dialog.key, this);
    this.#notifyIdle();
    this.safeEmit('ended', end);
  }

  // ───────────── helpers ─────────────

  #sendFinal(request: SipRequest): Promise<SipResponse> {
    let destination: Destination;
    try {
      destination = this.dialog.nextHop();
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return this.#ua.transactions.sendRequest(request, destination).final;
  }

  #delay(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const handle = this.#ua.clock.setTimeout(() => {
        this.#delays.delete(handle);
        resolve();
      }, ms);
      this.#delays.set(handle, () => reject(new DialogTerminatedError('the session ended while a re-INVITE waited to retry')));
    });
  }

  #modified(by: 'local' | 'remote'): void {
    this.safeEmit('modified', {
      by,
      localSdp: this.#localSdp,
      remoteSdp: this.#remoteSdp,
      remoteDirection: this.remoteDirection,
    });
  }

  #userAgentHeader(): [string, string][] {
    return this.#ua.requestHeaders().filter(([n]) => n === 'User-Agent');
  }

  #serverHeader(): [string, string][] {
    return this.#ua.responseHeaders().filter(([n]) => n === 'Server');
  }
}

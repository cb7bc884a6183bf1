/**
 * The transaction layer (RFC 3261 §17): it registers itself as the transport layer's
 * message handler, matches what arrives to transactions, and hands what no transaction
 * owns up through ONE callback (`onEvent`), which the layer above (dialogs / UA core)
 * registers. It never names that layer.
 *
 * Matching:
 * - responses to client transactions by the top Via branch and the CSeq method
 *   (§17.1.3);
 * - requests to server transactions by branch, sent-by and method, an ACK matching its
 *   INVITE (§17.2.3); for a branch without the `z9hG4bK` cookie (RFC 2543 peers) by
 *   Request-URI, From tag, Call-ID, CSeq, top Via and, for an ACK, the To tag of the
 *   transaction's response.
 *
 * What goes up: a new request with the server transaction created for it; an ACK that
 * matches no transaction (the ACK for a 2xx) or arrives in Accepted; a response that
 * matches no client transaction (a 2xx retransmitted after Timer M, a late fork).
 * Request retransmissions are absorbed (the transaction re-sends its last response).
 *
 * CANCEL (§9.2) is handled here: matched to the INVITE server transaction with the same
 * branch, answered 200 (the INVITE then gets 487 and its TU the `cancelled` callback), or
 * 481 when nothing matches. Merged-request detection (§8.2.2.2) is left to the UA core.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import {
  BRANCH_MAGIC_COOKIE,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  getCallId,
  getCSeq,
  getFrom,
  getTo,
  getTopVia,
  splitHeaderList,
} from '../message/index.js';
import { responseTarget, formatHostPort } from '../transport/address.js';
import type { SipTransportLayer } from '../transport/layer.js';
import { type Destination, type InboundMessage, type SipLogger, silentLogger } from '../transport/types.js';
import { buildCancel } from './derived-requests.js';
import { InviteClientTransaction } from './invite-client.js';
import { InviteServerTransaction } from './invite-server.js';
import { NonInviteClientTransaction } from './non-invite-client.js';
import { NonInviteServerTransaction } from './non-invite-server.js';
import type { SipTimers } from './timers.js';
import { type ClientTransactionUser, type TransactionOptions, Outcome } from './types.js';

export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;
export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;

/** What the transaction layer hands up. */
export type TransactionLayerEvent =
  /** A new request; answer it through `transaction`. */
  | {
      readonly type: 'request';
      readonly request: SipRequest;
      readonly transaction: ServerTransaction;
      readonly inbound: InboundMessage;
    }
  /** An ACK no transaction absorbs: the ACK for a 2xx (or a stray one). */
  | { readonly type: 'ack'; readonly request: SipRequest; readonly inbound: InboundMessage }
  /** A response no client transaction matches. */
  | { readonly type: 'response'; readonly response: SipResponse; readonly inbound: InboundMessage };

export type TransactionLayerHandler = (event: TransactionLayerEvent) => void;

export interface TransactionLayerOptions {
  readonly clock?: Clock;
  readonly timers?: Partial<SipTimers>;
  /** INVITE server transactions send 100 Trying after this many ms of TU silence (default 200; false: never). */
  readonly autoTrying?: number | false;
  readonly logger?: SipLogger;
}

/** A new `z9hG4bK` branch. */
export function newBranch(): string {
  return `${BRANCH_MAGIC_COOKIE}${randomBytes(8).toString('hex')}`;
}

/** The key of the client transaction a message (request sent or response received) belongs to. */
export function clientKey(message: SipMessage): string | undefined {
  const branch = getTopVia(message)?.branch;
  const cseq = getCSeq(message);
  if (branch === undefined || cseq === undefined) return undefined;
  return `${branch}|${cseq.method}`;
}

/**
 * The key of the server transaction a request belongs to; `method` overrides the request
 * method (ACK and CANCEL look up their INVITE with `'INVITE'`).
 */
export function serverKey(request: SipRequest, method: string = request.method === 'ACK' ? 'INVITE' : request.method): string | undefined {
  const via = getTopVia(request);
  if (via === undefined) return undefined;
  if (via.branch !== undefined && via.branch.startsWith(BRANCH_MAGIC_COOKIE)) {
    return `${via.branch}|${via.host.toLowerCase()}:${via.port ?? ''}|${method}`;
  }
  // RFC 2543 (§17.2.3): no usable branch.
  const cseq = getCSeq(request);
  const callId = getCallId(request);
  if (cseq === undefined || callId === undefined) return undefined;
  const firstVia = request.headers.get('Via');
  const topVia = firstVia === undefined ? '' : (splitHeaderList(firstVia)[0] ?? '');
  return `2543|${request.uri}|${getFrom(request)?.tag ?? ''}|${callId}|${cseq.seq}|${method}|${topVia}`;
}

function usesMagicCookie(request: SipRequest): boolean {
  return getTopVia(request)?.branch?.startsWith(BRANCH_MAGIC_COOKIE) === true;
}

export class TransactionLayer {
  readonly #transport: SipTransportLayer;
  readonly #clock: Clock;
  readonly #timers: Partial<SipTimers> | undefined;
  readonly #autoTrying: number | false;
  readonly #logger: SipLogger;
  readonly #client = new Map<string, ClientTransaction>();
  readonly #server = new Map<string, ServerTransaction>();
  readonly #destinations = new WeakMap<ClientTransaction, Destination>();
  /** INVITE client transactions whose CANCEL waits for a provisional response. */
  readonly #pendingCancels = new Map<InviteClientTransaction, Outcome<SipResponse | undefined>>();
  /** The CANCEL already sent for an INVITE (a second `cancel()` gets the same answer). */
  readonly #sentCancels = new WeakMap<InviteClientTransaction, Promise<SipResponse | undefined>>();
  #handler: TransactionLayerHandler | undefined;
  #closed = false;

  constructor(transport: SipTransportLayer, options: TransactionLayerOptions = {}) {
    this.#transport = transport;
    this.#clock = options.clock ?? systemClock;
    this.#timers = options.timers;
    this.#autoTrying = options.autoTrying ?? 200;
    this.#logger = options.logger ?? silentLogger;
    transport.onMessage((inbound) => this.#receive(inbound));
  }

  /** Register the one handler of what the layer hands up (replacing any earlier one). */
  onEvent(handler: TransactionLayerHandler): void {
    this.#handler = handler;
  }

  get clientTransactionCount(): number {
    return this.#client.size;
  }

  get serverTransactionCount(): number {
    return this.#server.size;
  }

  /**
   * Send a request in a new client transaction (INVITE or non-INVITE by method). When the
   * request has no Via, one is added (`SIP/2.0/<transport> <sent-by>;branch=z9hG4bK…;rport`);
   * the request is changed in place. ACK is not sent this way (see `sendAck`).
   */
  sendRequest(request: SipRequest, destination: Destination, user: ClientTransactionUser = {}): ClientTransaction {
    if (request.method === 'ACK') throw new TypeError('an ACK has no client transaction: use sendAck()');
    this.#ensureVia(request, destination);
    const key = clientKey(request);
    if (key === undefined) throw new TypeError('request needs a Via branch and a CSeq');
    if (this.#client.has(key)) throw new TypeError(`a client transaction with branch key ${key} exists`);
    let tx: ClientTransaction;
    const options: TransactionOptions = {
      ...this.#options(destination),
      onTerminated: () => {
        if (this.#client.get(key) === tx) this.#client.delete(key);
        if (tx.kind === 'invite-client') this.#settleCancel(tx);
      },
    };
    if (request.method === 'INVITE') {
      const invite: InviteClientTransaction = new InviteClientTransaction(request, options, {
        ...user,
        response: (res) => {
          if (res.status < 200) this.#provisionalForCancel(invite);
          else this.#settleCancel(invite);
          user.response?.(res);
        },
      });
      tx = invite;
    } else {
      tx = new NonInviteClientTransaction(request, options, user);
    }
    this.#client.set(key, tx);
    this.#destinations.set(tx, destination);
    if (this.#closed) tx.terminate();
    else tx.start();
    return tx;
  }

  /**
   * Cancel an INVITE (RFC 3261 §9.1): the CANCEL goes out at once when a provisional
   * response has arrived, or as soon as one does; not at all once a final response did.
   * Resolves with the CANCEL's final response, or `undefined` when none was sent; rejects
   * when the CANCEL transaction fails.
   */
  cancel(invite: InviteClientTransaction): Promise<SipResponse | undefined> {
    if (invite.state === 'proceeding') return this.#sendCancel(invite);
    if (invite.state !== 'calling') return Promise.resolve(undefined);
    let outcome = this.#pendingCancels.get(invite);
    if (outcome === undefined) {
      outcome = new Outcome<SipResponse | undefined>();
      this.#pendingCancels.set(invite, outcome);
    }
    return outcome.promise;
  }

  /**
   * Send an ACK for a 2xx (it has no transaction, RFC 3261 §17.1.1.3). A Via with a new
   * branch is added when the ACK has none.
   */
  sendAck(ack: SipRequest, destination: Destination): Promise<void> {
    this.#ensureVia(ack, destination);
    return this.#transport.send(ack, destination);
  }

  /** Send a message outside any transaction (e.g. a 2xx retransmission by the UA core). */
  sendStateless(message: SipMessage, destination: Destination): Promise<void> {
    return this.#transport.send(message, destination);
  }

  /** The destination a client transaction sends to. */
  destinationOf(tx: ClientTransaction): Destination | undefined {
    return this.#destinations.get(tx);
  }

  /** Terminate every transaction; later requests and responses are dropped. */
  close(): void {
    this.#closed = true;
    for (const tx of [...this.#client.values()]) tx.terminate();
    for (const tx of [...this.#server.values()]) tx.terminate();
    for (const outcome of this.#pendingCancels.values()) outcome.resolve(undefined);
    this.#pendingCancels.clear();
    this.#client.clear();
    this.#server.clear();
  }

  // ───────────── inbound ─────────────

  #receive(inbound: InboundMessage): void {
    if (this.#closed) return;
    const m = inbound.message;
    if (m.kind === 'response') this.#receiveResponse(m, inbound);
    else this.#receiveRequest(m, inbound);
  }

  #receiveResponse(response: SipResponse, inbound: InboundMessage): void {
    const key = clientKey(response);
    const tx = key === undefined ? undefined : this.#client.get(key);
    if (tx === undefined) {
      this.#emit({ type: 'response', response, inbound });
      return;
    }
    tx.handle({ type: 'response', response });
  }

  #receiveRequest(request: SipRequest, inbound: InboundMessage): void {
    const key = serverKey(request);
    if (key === undefined) {
      this.#logger.debug({ flow: inbound.flow.id }, 'request without a usable Via dropped');
      return;
    }
    const existing = this.#server.get(key);

    if (request.method === 'ACK') {
      if (existing?.kind === 'invite-server' && this.#ackMatches(existing, request)) {
        existing.handle({ type: 'ack', request });
      } else {
        this.#emit({ type: 'ack', request, inbound });
      }
      return;
    }
    if (existing !== undefined) {
      // A retransmission: the transaction re-sends its last response (or absorbs it).
      existing.handle({ type: 'request', request });
      return;
    }
    if (request.method === 'CANCEL') {
      this.#receiveCancel(request, key, inbound);
      return;
    }
    const tx = this.#newServer(request, key, inbound);
    this.#emit({ type: 'request', request, transaction: tx, inbound });
  }

  #receiveCancel(cancel: SipRequest, key: string, inbound: InboundMessage): void {
    const cancelTx = this.#newServer(cancel, key, inbound) as NonInviteServerTransaction;
    const inviteKey = serverKey(cancel, 'INVITE');
    const invite = inviteKey === undefined ? undefined : this.#server.get(inviteKey);
    if (invite?.kind !== 'invite-server') {
      cancelTx.reply(481);
      return;
    }
    const toTag = invite.ensureToTag();
    cancelTx.reply(200, undefined, { toTag });
    invite.handle({ type: 'cancel', request: cancel });
  }

  #ackMatches(tx: InviteServerTransaction, ack: SipRequest): boolean {
    if (usesMagicCookie(ack)) return true;
    // RFC 2543: the ACK's To tag must be the tag of the response the transaction sent.
    const sent = tx.lastResponse;
    return sent !== undefined && getTo(sent)?.tag === getTo(ack)?.tag;
  }

  #newServer(request: SipRequest, key: string, inbound: InboundMessage): ServerTransaction {
    const target = responseTarget(request, inbound);
    let tx: ServerTransaction;
    const options: TransactionOptions = {
      ...this.#options(target),
      onTerminated: () => {
        if (this.#server.get(key) === tx) this.#server.delete(key);
      },
    };
    if (request.method === 'INVITE') {
      tx = new InviteServerTransaction(request, {
        ...options,
        autoTrying: this.#autoTrying,
        passAck: (ack) => this.#emit({ type: 'ack', request: ack, inbound }),
      });
    } else {
      tx = new NonInviteServerTransaction(request, options);
    }
    this.#server.set(key, tx);
    return tx;
  }

  // ───────────── helpers ─────────────

  #options(destination: Destination): TransactionOptions {
    return {
      clock: this.#clock,
      reliable: this.#transport.isReliable(destination.transport),
      send: (message) => this.#transport.send(message, destination),
      logger: this.#logger,
      ...(this.#timers === undefined ? {} : { timers: this.#timers }),
    };
  }

  #ensureVia(request: SipRequest, destination: Destination): void {
    if (request.headers.has('Via')) return;
    const sentBy = this.#transport.sentBy(destination.transport);
    request.headers.prepend('Via', `SIP/2.0/${destination.transport} ${formatHostPort(sentBy)};branch=${newBranch()};rport`);
  }

  #provisionalForCancel(invite: InviteClientTransaction): void {
    const outcome = this.#pendingCancels.get(invite);
    if (outcome === undefined) return;
    this.#pendingCancels.delete(invite);
    this.#sendCancel(invite).then(
      (res) => outcome.resolve(res),
      (err: unknown) => outcome.reject(err instanceof Error ? err : new Error(String(err))),
    );
  }

  /** The INVITE got its final response (or ended) before the CANCEL could go. */
  #settleCancel(invite: InviteClientTransaction): void {
    const outcome = this.#pendingCancels.get(invite);
    if (outcome === undefined) return;
    this.#pendingCancels.delete(invite);
    outcome.resolve(undefined);
  }

  #sendCancel(invite: InviteClientTransaction): Promise<SipResponse | undefined> {
    const earlier = this.#sentCancels.get(invite);
    if (earlier !== undefined) return earlier;
    const destination = this.#destinations.get(invite);
    if (destination === undefined || this.#closed) return Promise.resolve(undefined);
    let sent: Promise<SipResponse | undefined>;
    try {
      sent = this.sendRequest(buildCancel(invite.request), destination).final;
      invite.handle({ type: 'cancel-sent' });
    } catch (err) {
      sent = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    sent.catch(() => undefined);
    this.#sentCancels.set(invite, sent);
    return sent;
  }

  #emit(event: TransactionLayerEvent): void {
    const handler = this.#handler;
    if (handler === undefined) {
      this.#logger.debug({ type: event.type }, 'nothing registered above the transaction layer: dropped');
      // Nobody to answer a new request: refuse it rather than let the peer retransmit.
      if (event.type === 'request') event.transaction.reply(event.request.method === 'INVITE' ? 480 : 503);
      return;
    }
    try {
      handler(event);
    } catch (err) {
      this.#logger.error({ err, type: event.type }, 'transaction layer handler threw');
    }
  }
}

/**
 * The UA core (RFC 3261 §8, §12–§15): registered as the transaction layer's one handler,
 * it dispatches what comes up and starts what goes down.
 *
 * Requests:
 * - with a To tag: to the dialog they name (a session, or an INVITE in its early dialog);
 *   no such dialog → 481 (§12.2.2);
 * - INVITE outside a dialog: an `IncomingInvite` in an `incoming` event (480 when nobody
 *   listens); a merged request (same From tag, Call-ID and CSeq on another branch) → 482
 *   (§8.2.2.2);
 * - OPTIONS: 200 with Allow, Accept, Supported (§11.2);
 * - REGISTER: to the `register` listener (a registrar); with none, 405;
 * - BYE, INFO, UPDATE, PRACK outside a dialog → 481; other methods → 405 with Allow;
 *   a Require naming an option tag we do not support → 420 with Unsupported (§8.2.2.3).
 * - CANCEL is answered by the transaction layer (200, and 487 to the INVITE).
 *
 * ACKs for a 2xx go to their dialog; a 2xx that no transaction matches any more (a
 * retransmission after Timer M) goes to its dialog to be ACKed again.
 *
 * Outgoing: `invite()` returns an `OutgoingInvite`; `options()` sends an OPTIONS outside a
 * dialog.
 */
import { TypedEmitter } from '../../events/typed-emitter.js';
import { type Clock, systemClock } from '../clock.js';
import { dialogKey, newCallId, newCSeq, newTag, requestDialogId, responseDialogId } from '../dialog/index.js';
import { uriDestination } from '../dialog/dialog.js';
import {
  type SipRequest,
  type SipResponse,
  buildRequest,
  getCallId,
  getCSeq,
  getFrom,
  getRequire,
  parseNameAddr,
  parseUri,
  formatNameAddr,
} from '../message/index.js';
import type { ServerTransaction, TransactionLayer, TransactionLayerEvent } from '../transaction/layer.js';
import { type SipTimers, resolveTimers } from '../transaction/timers.js';
import { formatHostPort } from '../transport/address.js';
import type { SipTransportLayer } from '../transport/layer.js';
import { type Destination, type InboundMessage, type SipLogger, type TransportProtocol, silentLogger } from '../transport/types.js';
import type { DialogOwner, UaContext } from './core.js';
import { RequestRejectedError, transactionFailure } from './errors.js';
import { IncomingInvite } from './incoming-invite.js';
import { OutgoingInvite } from './outgoing-invite.js';
import { InviteSession } from './session.js';

/** Methods the UA core handles. */
export const UA_ALLOWED_METHODS: readonly string[] = Object.freeze(['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'INFO']);

/** Body types the UA core reads. */
export const UA_ACCEPTED_TYPES: readonly string[] = Object.freeze(['application/sdp', 'application/dtmf-relay', 'application/dtmf']);

/** Methods that only make sense inside a dialog: outside one they get 481. */
const DIALOG_ONLY: ReadonlySet<string> = new Set(['BYE', 'INFO', 'UPDATE', 'PRACK', 'NOTIFY']);

export interface UserAgentOptions {
  readonly transactions: TransactionLayer;
  /** The transport layer under `transactions`: where our Contact points. */
  readonly transport: Pick<SipTransportLayer, 'sentBy' | 'protocols'>;
  /** Default: the process clock. Give the transaction layer's. */
  readonly clock?: Clock;
  /** T1, T2, T4 for the 2xx retransmission; give the transaction layer's. */
  readonly timers?: Partial<SipTimers>;
  readonly logger?: SipLogger;
  /** User part of our Contact URI; default `dialtone`. */
  readonly contactUser?: string;
  /** User-Agent / Server header value; default `Dialtone`. */
  readonly userAgent?: string;
  /** Option tags we support (Supported); a Require naming any other gets 420. Default none. */
  readonly supported?: readonly string[];
  /** In [0, 1); default `Math.random`. The glare back-off and Retry-After draw from it. */
  readonly random?: () => number;
  /** 491 responses in a row a re-INVITE takes before giving up; default 3. */
  readonly maxGlareRetries?: number;
}

/** What an INVITE we send carries. */
export interface InviteOptions {
  /** Our address: a URI (`sip:alice@example.com`) or name-addr (`"Alice" <sip:alice@example.com>`). */
  readonly from: string;
  /** The callee's address; default the target URI. */
  readonly to?: string;
  /** The offer (usually SDP); none: the callee offers in its 2xx. */
  readonly body?: string;
  /** Default `application/sdp`. */
  readonly contentType?: string;
  readonly headers?: readonly (readonly [string, string])[];
  /** Where to send; default from the target URI (host, port, `transport` parameter; UDP). */
  readonly destination?: Destination;
  /** Default: a new random one. */
  readonly callId?: string;
}

/** Options of an out-of-dialog OPTIONS. */
export interface OptionsRequestOptions {
  readonly from?: string;
  readonly destination?: Destination;
  readonly headers?: readonly (readonly [string, string])[];
}

export interface UserAgentEvents {
  /** A new INVITE: answer it (`ringing()`, `accept()`, `reject()`). */
  incoming: [invite: IncomingInvite];
  /** A session came up, either side. */
  session: [session: InviteSession];
  /** A REGISTER: the listener (a registrar) answers it through `transaction`. */
  register: [request: SipRequest, transaction: ServerTransaction, inbound: InboundMessage];
}

function addressWithTag(text: string, tag: string | undefined): string {
  const trimmed = text.trim();
  const addr = parseNameAddr(trimmed.includes('<') ? trimmed : `<${trimmed}>`);
  if (addr === undefined) throw new TypeError(`not a SIP address: ${JSON.stringify(text)}`);
  const params = addr.params.filter((p) => p.name.toLowerCase() !== 'tag');
  if (tag !== undefined) params.push({ name: 'tag', value: tag });
  return formatNameAddr({ displayName: addr.displayName, uri: addr.uri, params });
}

export class UserAgent extends TypedEmitter<UserAgentEvents> {
  readonly transactions: TransactionLayer;
  readonly #transport: Pick<SipTransportLayer, 'sentBy' | 'protocols'>;
  readonly #clock: Clock;
  readonly #timers: SipTimers;
  readonly #logger: SipLogger;
  readonly #contactUser: string;
  readonly #userAgent: string;
  readonly #supported: ReadonlySet<string>;
  readonly #random: () => number;
  readonly #maxGlareRetries: number;
  readonly #dialogs = new Map<string, DialogOwner>();
  /** INVITEs being answered, by From tag + Call-ID + CSeq (merged-request detection). */
  readonly #pendingInvites = new Map<string, IncomingInvite>();
  readonly #outgoing = new Set<OutgoingInvite>();
  readonly #context: UaContext;
  #closed = false;

  constructor(options: UserAgentOptions) {
    super({ logger: options.logger ?? silentLogger, name: 'UserAgent' });
    this.transactions = options.transactions;
    this.#transport = options.transport;
    this.#clock = options.clock ?? systemClock;
    this.#timers = resolveTimers(options.timers);
    this.#logger = options.logger ?? silentLogger;
    this.#contactUser = options.contactUser ?? 'dialtone';
    this.#userAgent = options.userAgent ?? 'Dialtone';
    this.#supported = new Set(options.supported ?? []);
    this.#random = options.random ?? Math.random;
    this.#maxGlareRetries = options.maxGlareRetries ?? 3;
    this.#context = {
      transactions: this.transactions,
      clock: this.#clock,
      timers: this.#timers,
      logger: this.#logger,
      random: this.#random,
      maxGlareRetries: this.#maxGlareRetries,
      contact: (transport) => this.contact(transport),
      requestHeaders: () => this.#capabilities('User-Agent'),
      responseHeaders: () => this.#capabilities('Server'),
      register: (key, owner) => {
        this.#dialogs.set(key, owner);
      },
      unregister: (key, owner) => {
        if (this.#dialogs.get(key) === owner) this.#dialogs.delete(key);
      },
      established: (session) => {
        this.safeEmit('session', session);
      },
    };
    this.transactions.onEvent((event) => this.#onEvent(event));
  }

  /** Our Contact header value for `transport` (`<sip:dialtone@127.0.0.1:5060;transport=tcp>`). */
  contact(transport: TransportProtocol): string {
    const sentBy = this.#transport.sentBy(transport);
    const param = transport === 'UDP' ? '' : `;transport=${transport.toLowerCase()}`;
    return `<sip:${this.#contactUser}@${formatHostPort(sentBy)}${param}>`;
  }

  /** Sessions up now (either side). */
  get sessions(): InviteSession[] {
    const out: InviteSession[] = [];
    for (const owner of this.#dialogs.values()) if (isSession(owner)) out.push(owner);
    return out;
  }

  /** Dialogs (early or confirmed) this UA answers for. */
  get dialogCount(): number {
    return this.#dialogs.size;
  }

  /**
   * Send an INVITE to `target` (a SIP URI). Subscribe to `progress`, then await `session`.
   * Throws `TypeError` for a target or From that is not a SIP address.
   */
  invite(target: string, options: InviteOptions): OutgoingInvite {
    if (this.#closed) throw new TypeError('the user agent is closed');
    const targetUri = parseUri(target);
    if (targetUri === undefined || targetUri.kind !== 'sip') throw new TypeError(`not a SIP URI: ${JSON.stringify(target)}`);
    const destination = options.destination ?? uriDestination(targetUri, this.#transport.protocols[0] ?? 'UDP');
    const sentBy = this.#transport.sentBy(destination.transport);
    const headers: [string, string][] = [
      ['Max-Forwards', '70'],
      ['From', addressWithTag(options.from, newTag())],
      ['To', addressWithTag(options.to ?? target, undefined)],
      ['Call-ID', options.callId ?? newCallId(sentBy.host)],
      ['CSeq', `${newCSeq()} INVITE`],
      ['Contact', this.contact(destination.transport)],
      ...this.#capabilities('User-Agent'),
    ];
    for (const h of options.headers ?? []) headers.push([h[0], h[1]]);
    const body = options.body === undefined ? new Uint8Array(0) : Buffer.from(options.body, 'utf8');
    if (body.byteLength > 0) headers.push(['Content-Type', options.contentType ?? 'application/sdp']);
    const request = buildRequest('INVITE', target, headers, body);
    let invite: OutgoingInvite | undefined = undefined;
    invite = new OutgoingInvite(this.#context, request, destination, () => {
      if (invite !== undefined) this.#outgoing.delete(invite);
    });
    this.#outgoing.add(invite);
    return invite;
  }

  /**
   * Send OPTIONS outside any dialog (a keep-alive or capability query). Resolves with the
   * 2xx; rejects with `RequestRejectedError`, `RequestTimeoutError` or `RequestFailedError`.
   */
  async options(target: string, options: OptionsRequestOptions = {}): Promise<SipResponse> {
    const targetUri = parseUri(target);
    if (targetUri === undefined || targetUri.kind !== 'sip') throw new TypeError(`not a SIP URI: ${JSON.stringify(target)}`);
    const destination = options.destination ?? uriDestination(targetUri, this.#transport.protocols[0] ?? 'UDP');
    const sentBy = this.#transport.sentBy(destination.transport);
    const from = options.from ?? `sip:${this.#contactUser}@${formatHostPort(sentBy)}`;
    const headers: [string, string][] = [
      ['Max-Forwards', '70'],
      ['From', addressWithTag(from, newTag())],
      ['To', addressWithTag(target, undefined)],
      ['Call-ID', newCallId(sentBy.host)],
      ['CSeq', `${newCSeq()} OPTIONS`],
      ['Contact', this.contact(destination.transport)],
      ['Accept', UA_ACCEPTED_TYPES.join(', ')],
      ...this.#capabilities('User-Agent'),
    ];
    for (const h of options.headers ?? []) headers.push([h[0], h[1]]);
    const request = buildRequest('OPTIONS', target, headers);
    let response: SipResponse;
    try {
      response = await this.transactions.sendRequest(request, destination).final;
    } catch (err) {
      throw transactionFailure('OPTIONS', err);
    }
    if (response.status >= 300) throw new RequestRejectedError('OPTIONS', response);
    return response;
  }

  /** End every session (BYE) and answer every pending INVITE 480; resolves when the BYEs are answered. */
  async hangupAll(): Promise<void> {
    for (const invite of [...this.#pendingInvites.values()]) {
      if (invite.state === 'pending' || invite.state === 'early') invite.reject(480);
    }
    for (const out of [...this.#outgoing]) void out.cancel();
    await Promise.all(this.sessions.map((s) => s.bye()));
  }

  /**
   * Stop: every session ends (`closed`, nothing sent), pending INVITEs we received get 503,
   * ours fail. The transaction and transport layers are the owner's to close.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const owner of [...this.#dialogs.values()]) owner.shutdown();
    for (const invite of [...this.#pendingInvites.values()]) invite.shutdown();
    for (const out of [...this.#outgoing]) out.abort();
    this.#dialogs.clear();
    this.#pendingInvites.clear();
    this.#outgoing.clear();
  }

  // ───────────── dispatch ─────────────

  #onEvent(event: TransactionLayerEvent): void {
    switch (event.type) {
      case 'request':
        this.#onRequest(event.request, event.transaction, event.inbound);
        return;
      case 'ack': {
        const id = requestDialogId(event.request);
        const owner = id === undefined ? undefined : this.#dialogs.get(dialogKey(id));
        if (owner === undefined) this.#logger.debug({ callId: getCallId(event.request) }, 'ACK for no dialog dropped');
        else owner.handleAck(event.request);
        return;
      }
      case 'response': {
        const id = responseDialogId(event.response);
        const owner = id === undefined ? undefined : this.#dialogs.get(dialogKey(id));
        if (owner === undefined) this.#logger.debug({ callId: getCallId(event.response) }, 'stray response dropped');
        else owner.handleResponse(event.response);
      }
    }
  }

  #onRequest(request: SipRequest, tx: ServerTransaction, inbound: InboundMessage): void {
    if (this.#closed) {
      tx.reply(503);
      return;
    }
    const unsupported = (getRequire(request) ?? []).filter((tag) => !this.#supported.has(tag));
    if (unsupported.length > 0) {
      tx.reply(420, undefined, { headers: [['Unsupported', unsupported.join(', ')]] });
      return;
    }
    const id = requestDialogId(request);
    if (id !== undefined) {
      const owner = this.#dialogs.get(dialogKey(id));
      if (owner === undefined) {
        tx.reply(481);
        return;
      }
      owner.handleRequest(request, tx, inbound);
      return;
    }
    switch (request.method) {
      case 'INVITE':
        if (tx.kind === 'invite-server') this.#onInvite(request, tx, inbound);
        return;
      case 'OPTIONS':
        tx.reply(200, undefined, { headers: this.#optionsHeaders() });
        return;
      default:
        if (request.method === 'REGISTER' && this.listenerCount('register') > 0) this.safeEmit('register', request, tx, inbound);
        else if (DIALOG_ONLY.has(request.method)) tx.reply(481);
        else tx.reply(405, undefined, { headers: [['Allow', this.#allowed()]] });
    }
  }

  #onInvite(request: SipRequest, tx: Extract<ServerTransaction, { kind: 'invite-server' }>, inbound: InboundMessage): void {
    const key = `${getCallId(request) ?? ''}\n${getFrom(request)?.tag ?? ''}\n${getCSeq(request)?.seq ?? ''}`;
    if (this.#pendingInvites.has(key)) {
      // §8.2.2.2: the same request reached us on another path.
      tx.reply(482);
      return;
    }
    if (this.listenerCount('incoming') === 0) {
      tx.reply(480);
      return;
    }
    let invite: IncomingInvite | undefined = undefined;
    try {
      invite = new IncomingInvite(this.#context, request, tx, inbound, () => {
        if (invite !== undefined && this.#pendingInvites.get(key) === invite) this.#pendingInvites.delete(key);
      });
    } catch (err) {
      this.#logger.warn({ err }, 'INVITE refused');
      tx.reply(400);
      return;
    }
    this.#pendingInvites.set(key, invite);
    this.safeEmit('incoming', invite);
  }

  /** §11.2: what we can do, for a 200 to OPTIONS. */
  #optionsHeaders(): [string, string][] {
    return [
      ['Allow', this.#allowed()],
      ['Accept', UA_ACCEPTED_TYPES.join(', ')],
      ['Supported', [...this.#supported].join(', ')],
      ['Server', this.#userAgent],
    ];
  }

  #allowed(): string {
    const methods = UA_ALLOWED_METHODS.join(', ');
    return this.listenerCount('register') > 0 ? `${methods}, REGISTER` : methods;
  }

  #capabilities(agentHeader: 'User-Agent' | 'Server'): [string, string][] {
    const out: [string, string][] = [['Allow', this.#allowed()]];
    if (this.#supported.size > 0) out.push(['Supported', [...this.#supported].join(', ')]);
    out.push([agentHeader, this.#userAgent]);
    return out;
  }
}

function isSession(owner: DialogOwner): owner is InviteSession {
  return owner instanceof InviteSession;
}

/**
 * A SIP dialog (RFC 3261 §12): the state two user agents keep between an INVITE and the
 * BYE that ends it, and the rules for the requests sent inside it.
 *
 * - Identity: Call-ID, local tag, remote tag (`DialogId`, `dialogKey`).
 * - Created by the UAS from the request (§12.1.1: route set = Record-Route in order,
 *   remote target = Contact, remote CSeq = the request's) or by the UAC from a response
 *   with a To tag (§12.1.2: route set = Record-Route reversed, remote target = Contact,
 *   local CSeq = the request's). A 1xx makes it `early`, a 2xx `confirmed`; a 2xx for an
 *   early dialog recomputes its route set (§13.2.2.4).
 * - `createRequest` builds a request per §12.2.1.1: Request-URI and Route from the remote
 *   target and the route set (loose routing when the first route has `lr`, strict routing
 *   otherwise), CSeq one more than the last, Contact on target-refresh requests.
 *   `createAck` builds the ACK for a 2xx, which keeps the INVITE's CSeq number (§13.2.2.4).
 * - `receiveRequest` applies §12.2.2 to a request that arrived in the dialog: a CSeq lower
 *   than the remote one is refused with 500.
 * - `refreshTarget` replaces the remote target with a message's Contact (re-INVITE and its
 *   2xx, RFC 3261 §12.2, RFC 6141 §3).
 *
 * Pure state and message construction: no I/O, no timers. The UA core sends what this
 * builds, to `nextHop()`.
 */
import { randomBytes, randomInt } from 'node:crypto';
import {
  type NameAddr,
  type SipMessage,
  type SipParam,
  type SipRequest,
  type SipResponse,
  type Uri,
  buildRequest,
  formatNameAddr,
  formatUri,
  getCallId,
  getContacts,
  getCSeq,
  getFrom,
  getRecordRoutes,
  getTo,
  parseUri,
  uriParam,
} from '../message/index.js';
import { normalizeAddress } from '../transport/address.js';
import type { Destination, TransportProtocol } from '../transport/types.js';
import { DialogRouteError, DialogTerminatedError } from './errors.js';

export type DialogState = 'early' | 'confirmed' | 'terminated';

/** Which side of the INVITE that created the dialog we were. */
export type DialogRole = 'uac' | 'uas';

/** What identifies a dialog (§12): Call-ID and the two tags, from our point of view. */
export interface DialogId {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
}

/** A map key for a dialog id. */
export function dialogKey(id: DialogId): string {
  return `${id.callId}\n${id.localTag}\n${id.remoteTag}`;
}

/**
 * The id of the dialog a received request belongs to: the To tag is ours, the From tag
 * the peer's. `undefined` when the request has no To tag (it is outside any dialog).
 */
export function requestDialogId(request: SipRequest): DialogId | undefined {
  const callId = getCallId(request);
  const localTag = getTo(request)?.tag;
  const remoteTag = getFrom(request)?.tag;
  if (callId === undefined || localTag === undefined || remoteTag === undefined) return undefined;
  return { callId, localTag, remoteTag };
}

/** The id of the dialog a response to our request belongs to: From tag ours, To tag the peer's. */
export function responseDialogId(response: SipResponse): DialogId | undefined {
  const callId = getCallId(response);
  const localTag = getFrom(response)?.tag;
  const remoteTag = getTo(response)?.tag;
  if (callId === undefined || localTag === undefined || remoteTag === undefined) return undefined;
  return { callId, localTag, remoteTag };
}

/** A new tag: 64 random bits, hex (§19.3 asks for at least 32). */
export function newTag(): string {
  return randomBytes(8).toString('hex');
}

/** A new Call-ID: 96 random bits, `@host` appended when given (§8.1.1.4). */
export function newCallId(host?: string): string {
  const id = randomBytes(12).toString('hex');
  return host === undefined || host === '' ? id : `${id}@${host.replace(/^\[|\]$/g, '')}`;
}

/** A first CSeq number for a request sequence: random, small enough never to reach 2^31. */
export function newCSeq(): number {
  return randomInt(1, 1 << 16);
}

/**
 * Methods whose requests (and 2xx responses) carry a Contact that replaces the remote
 * target: INVITE (§12.2), UPDATE (RFC 3311), SUBSCRIBE/NOTIFY (RFC 6665), REFER (RFC 3515).
 */
export const TARGET_REFRESH_METHODS: ReadonlySet<string> = new Set(['INVITE', 'UPDATE', 'SUBSCRIBE', 'NOTIFY', 'REFER']);

/** A From / To address without its parameters (the tag lives in the dialog id). */
export type DialogAddress = Pick<NameAddr, 'displayName' | 'uri'>;

/** True when a route entry is a loose router (`;lr` on its URI, RFC 3261 §16.12.1.1). */
export function isLooseRoute(route: NameAddr): boolean {
  return route.uri.kind === 'sip' && uriParam(route.uri, 'lr') !== undefined;
}

/** The Request-URI and Route values of a request sent in a dialog. */
export interface RequestRouting {
  readonly uri: string;
  /** Route header values, in order (empty: no Route header). */
  readonly routes: readonly string[];
}

/**
 * §12.2.1.1: with an empty route set, the Request-URI is the remote target and there is
 * no Route. When the first route is a loose router, the Request-URI is the remote target
 * and the route set goes in Route as it is. Otherwise (a strict router) the Request-URI
 * is the first route's URI, stripped of what a Request-URI may not hold (headers and the
 * `method` parameter, §19.1.1), and Route holds the other routes followed by the remote
 * target.
 */
export function routeRequest(remoteTarget: string, routeSet: readonly NameAddr[]): RequestRouting {
  const first = routeSet[0];
  if (first === undefined) return { uri: remoteTarget, routes: [] };
  if (isLooseRoute(first)) return { uri: remoteTarget, routes: routeSet.map((r) => formatNameAddr(r)) };
  const routes = routeSet.slice(1).map((r) => formatNameAddr(r));
  routes.push(`<${remoteTarget}>`);
  return { uri: formatUri(requestUriForm(first.uri)), routes };
}

function requestUriForm(uri: Uri): Uri {
  if (uri.kind !== 'sip') return uri;
  return { ...uri, headers: [], params: uri.params.filter((p) => p.name.toLowerCase() !== 'method') };
}

/**
 * Where to send a request whose next hop is `uri` (RFC 3261 §8.1.2 without DNS, RFC 3263
 * §4 in its simplest form): `maddr` or the host, the port (5060, 5061 for sips), and the
 * transport the URI names, else TCP for sips, else `fallback`.
 */
export function uriDestination(uri: Uri | string, fallback: TransportProtocol): Destination {
  const parsed = typeof uri === 'string' ? parseUri(uri) : uri;
  if (parsed === undefined) throw new DialogRouteError(`next hop ${String(uri)} is not a URI`);
  if (parsed.kind !== 'sip') throw new DialogRouteError(`next hop ${formatUri(parsed)} is not a SIP URI`);
  const maddr = uriParam(parsed, 'maddr');
  const host = normalizeAddress(typeof maddr === 'string' && maddr !== '' ? maddr : parsed.host);
  const port = parsed.port ?? (parsed.scheme === 'sips' ? 5061 : 5060);
  const named = uriParam(parsed, 'transport');
  let transport: TransportProtocol = parsed.scheme === 'sips' ? 'TCP' : fallback;
  if (typeof named === 'string') {
    const t = named.toUpperCase();
    if (t === 'UDP' || t === 'TCP') transport = t;
  }
  return { host, port, transport };
}

/** Options of a request built in a dialog. */
export interface DialogRequestOptions {
  /** The body; a string is sent as UTF-8. */
  readonly body?: string | Uint8Array;
  /** Content-Type of the body (ignored without a body). */
  readonly contentType?: string;
  /** Further header lines, appended in order. A Contact given here replaces the dialog's. */
  readonly headers?: Iterable<readonly [name: string, value: string]>;
}

/** How we are reached and how the peer is reached, given when a dialog is made. */
export interface DialogEndpoint {
  /** Our Contact header value (`<sip:dialtone@192.0.2.1:5060>`), put on target-refresh requests. */
  readonly localContact: string;
  /** The transport the dialog started on: used for a next hop whose URI names none. */
  readonly transport: TransportProtocol;
  /** The connection the dialog started on (TCP), reused while it stays open. */
  readonly flowId?: string;
}

/** Everything a dialog starts from. */
export interface DialogInit extends DialogEndpoint {
  readonly role: DialogRole;
  readonly state: 'early' | 'confirmed';
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly localUri: DialogAddress;
  readonly remoteUri: DialogAddress;
  /** The remote target URI, as text. */
  readonly remoteTarget: string;
  /** The route set, in the order requests list it in Route. */
  readonly routeSet: readonly NameAddr[];
  readonly localSeq: number | undefined;
  readonly remoteSeq: number | undefined;
  readonly secure: boolean;
}

/** The verdict on a request received in a dialog (§12.2.2). */
export type InDialogVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: 500; readonly reason: string; readonly detail: string };

function stripParams(addr: NameAddr): DialogAddress {
  return { displayName: addr.displayName, uri: addr.uri };
}

function firstContactUri(message: SipMessage): string | undefined {
  const contacts = getContacts(message);
  if (contacts === undefined || contacts.wildcard) return undefined;
  const first = contacts.contacts[0];
  return first === undefined ? undefined : formatUri(first.uri);
}

function toBytes(body: string | Uint8Array | undefined): Uint8Array {
  if (body === undefined) return new Uint8Array(0);
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

export class Dialog {
  readonly role: DialogRole;
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly localUri: DialogAddress;
  readonly remoteUri: DialogAddress;
  /** True when the dialog was made over sips (§12.1.1); we have no TLS, so rarely true. */
  readonly secure: boolean;
  readonly transport: TransportProtocol;
  #state: DialogState;
  #remoteTarget: string;
  #routeSet: readonly NameAddr[];
  #localSeq: number | undefined;
  #remoteSeq: number | undefined;
  #localContact: string;
  #flowId: string | undefined;

  constructor(init: DialogInit) {
    this.role = init.role;
    this.callId = init.callId;
    this.localTag = init.localTag;
    this.remoteTag = init.remoteTag;
    this.localUri = init.localUri;
    this.remoteUri = init.remoteUri;
    this.secure = init.secure;
    this.transport = init.transport;
    this.#state = init.state;
    this.#remoteTarget = init.remoteTarget;
    this.#routeSet = init.routeSet;
    this.#localSeq = init.localSeq;
    this.#remoteSeq = init.remoteSeq;
    this.#localContact = init.localContact;
    this.#flowId = init.flowId;
  }

  /**
   * The UAS side (§12.1.1), from a request that creates a dialog and the To tag we put on
   * our response. `early` for a 1xx, `confirmed` for a 2xx.
   */
  static fromRequest(
    request: SipRequest,
    localTag: string,
    endpoint: DialogEndpoint,
    state: 'early' | 'confirmed' = 'confirmed',
  ): Dialog {
    const callId = getCallId(request);
    const from = getFrom(request);
    const to = getTo(request);
    const cseq = getCSeq(request);
    if (callId === undefined || from === undefined || to === undefined || cseq === undefined || from.tag === undefined) {
      throw new TypeError('a dialog needs a request with Call-ID, CSeq, To and a tagged From');
    }
    const ruri = parseUri(request.uri);
    return new Dialog({
      ...endpoint,
      role: 'uas',
      state,
      callId,
      localTag,
      remoteTag: from.tag,
      localUri: stripParams(to),
      remoteUri: stripParams(from),
      remoteTarget: firstContactUri(request) ?? formatUri(from.uri),
      routeSet: getRecordRoutes(request) ?? [],
      localSeq: undefined,
      remoteSeq: cseq.seq,
      secure: ruri?.kind === 'sip' && ruri.scheme === 'sips',
    });
  }

  /**
   * The UAC side (§12.1.2), from the request we sent and a response with a To tag: 1xx
   * makes an early dialog, 2xx a confirmed one.
   */
  static fromResponse(request: SipRequest, response: SipResponse, endpoint: DialogEndpoint): Dialog {
    const callId = getCallId(request);
    const from = getFrom(request);
    const to = getTo(response);
    const cseq = getCSeq(request);
    if (callId === undefined || from === undefined || to === undefined || cseq === undefined) {
      throw new TypeError('a dialog needs Call-ID, CSeq, From and To');
    }
    if (from.tag === undefined || to.tag === undefined) throw new TypeError('a dialog needs a From tag and a To tag');
    const ruri = parseUri(request.uri);
    return new Dialog({
      ...endpoint,
      role: 'uac',
      state: response.status >= 200 ? 'confirmed' : 'early',
      callId,
      localTag: from.tag,
      remoteTag: to.tag,
      localUri: stripParams(from),
      remoteUri: stripParams(to),
      remoteTarget: firstContactUri(response) ?? request.uri,
      routeSet: [...(getRecordRoutes(response) ?? [])].reverse(),
      localSeq: cseq.seq,
      remoteSeq: undefined,
      secure: ruri?.kind === 'sip' && ruri.scheme === 'sips',
    });
  }

  get id(): DialogId {
    return { callId: this.callId, localTag: this.localTag, remoteTag: this.remoteTag };
  }

  get key(): string {
    return dialogKey(this.id);
  }

  get state(): DialogState {
    return this.#state;
  }

  /** The URI requests in this dialog go to (Request-URI, or last Route behind a strict router). */
  get remoteTarget(): string {
    return this.#remoteTarget;
  }

  get routeSet(): readonly NameAddr[] {
    return this.#routeSet;
  }

  /** CSeq number of the last request we sent in the dialog; `undefined` until we send one (UAS). */
  get localSeq(): number | undefined {
    return this.#localSeq;
  }

  /** CSeq number of the last request the peer sent; `undefined` until it sends one (UAC). */
  get remoteSeq(): number | undefined {
    return this.#remoteSeq;
  }

  get localContact(): string {
    return this.#localContact;
  }

  /** The Call-ID is ours when we sent the INVITE (§14.1 glare timing). */
  get ownsCallId(): boolean {
    return this.role === 'uac';
  }

  /**
   * Early → confirmed. For the UAC, pass the 2xx: the route set and remote target are
   * recomputed from it (§12.1.2, §13.2.2.4).
   */
  confirm(response?: SipResponse): void {
    if (this.#state === 'terminated') return;
    if (response !== undefined && this.role === 'uac') {
      this.#routeSet = [...(getRecordRoutes(response) ?? [])].reverse();
      this.refreshTarget(response);
    }
    this.#state = 'confirmed';
  }

  terminate(): void {
    this.#state = 'terminated';
  }

  /** Replace the remote target with the message's Contact, when it has one. Returns true when it did. */
  refreshTarget(message: SipMessage): boolean {
    const uri = firstContactUri(message);
    if (uri === undefined) return false;
    this.#remoteTarget = uri;
    return true;
  }

  /**
   * §12.2.2 for a request that arrived in this dialog: a CSeq lower than the last one the
   * peer used is out of order (500); otherwise the remote CSeq moves to it. ACK and CANCEL
   * carry the CSeq of the request they belong to and are not checked.
   */
  receiveRequest(request: SipRequest): InDialogVerdict {
    if (request.method === 'ACK' || request.method === 'CANCEL') return { ok: true };
    const cseq = getCSeq(request);
    if (cseq === undefined) return { ok: false, status: 500, reason: 'Server Internal Error', detail: 'no CSeq' };
    if (this.#remoteSeq !== undefined && cseq.seq < this.#remoteSeq) {
      return {
        ok: false,
        status: 500,
        reason: 'Server Internal Error',
        detail: `CSeq ${cseq.seq} is lower than the dialog's remote CSeq ${this.#remoteSeq}`,
      };
    }
    this.#remoteSeq = cseq.seq;
    return { ok: true };
  }

  /** Take the next local CSeq number (random when the sequence is empty, §12.2.1.1). */
  nextLocalSeq(): number {
    this.#localSeq = this.#localSeq === undefined ? newCSeq() : this.#localSeq + 1;
    return this.#localSeq;
  }

  /**
   * A request in this dialog (§12.2.1.1), taking the next CSeq. Not for ACK (`createAck`)
   * or CANCEL (built from the INVITE by the transaction layer). Throws
   * `DialogTerminatedError` once the dialog has ended.
   */
  createRequest(method: string, options: DialogRequestOptions = {}): SipRequest {
    if (method === 'ACK' || method === 'CANCEL') throw new TypeError(`${method} is not built with createRequest`);
    if (this.#state === 'terminated') throw new DialogTerminatedError(`cannot send ${method}: the dialog is terminated`);
    return this.#build(method, this.nextLocalSeq(), options);
  }

  /** The ACK for a 2xx to the INVITE with CSeq number `inviteSeq` (same number, §13.2.2.4). */
  createAck(inviteSeq: number, options: DialogRequestOptions = {}): SipRequest {
    return this.#build('ACK', inviteSeq, options);
  }

  /** Where the next request goes: the first route when there is a route set, else the remote target. */
  nextHop(): Destination {
    const first = this.#routeSet[0];
    const dest = uriDestination(first === undefined ? this.#remoteTarget : first.uri, this.transport);
    if (this.#flowId !== undefined && dest.transport === this.transport) return { ...dest, flowId: this.#flowId };
    return dest;
  }

  #build(method: string, seq: number, options: DialogRequestOptions): SipRequest {
    const routing = routeRequest(this.#remoteTarget, this.#routeSet);
    const tag = (value: string): SipParam[] => [{ name: 'tag', value }];
    const headers: [string, string][] = [['Max-Forwards', '70']];
    for (const route of routing.routes) headers.push(['Route', route]);
    headers.push(['From', formatNameAddr({ ...this.localUri, params: tag(this.localTag) })]);
    headers.push(['To', formatNameAddr({ ...this.remoteUri, params: tag(this.remoteTag) })]);
    headers.push(['Call-ID', this.callId]);
    headers.push(['CSeq', `${seq} ${method}`]);
    const extra = options.headers === undefined ? [] : [...options.headers];
    const hasContact = extra.some(([name]) => name.toLowerCase() === 'contact' || name.toLowerCase() === 'm');
    if (TARGET_REFRESH_METHODS.has(method) && !hasContact) headers.push(['Contact', this.#localContact]);
    for (const [name, value] of extra) headers.push([name, value]);
    const body = toBytes(options.body);
    if (body.byteLength > 0 && options.contentType !== undefined) headers.push(['Content-Type', options.contentType]);
    return buildRequest(method, routing.uri, headers, body);
  }
}

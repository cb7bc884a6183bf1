/**
 * Request and response checks that sit between the parser and the transaction layer.
 *
 * `parseMessage` only checks what framing needs; a message that parses can still be one
 * the stack must refuse: a mandatory header missing or malformed, a CSeq method that is
 * not the request method, a Request-URI scheme nobody serves, SIP/7.0… `validateRequest`
 * says which status to answer with (RFC 3261 §8.2, §16.3), `validateResponse` whether to
 * drop a response (§8.1.3.3, §18.1.2). Each failure names the `check` that caught it.
 * Neither function throws.
 */
import {
  getAccept,
  getCallId,
  getContacts,
  getContentDisposition,
  getContentType,
  getCSeq,
  getFrom,
  getMaxForwards,
  getProxyRequire,
  getRecordRoutes,
  getRequire,
  getRoutes,
  getTo,
  getVias,
  BRANCH_MAGIC_COOKIE,
} from './headers.js';
import { reasonPhrase } from './reason-phrases.js';
import { buildResponse } from './serialize.js';
import { SIP_METHODS, type SipRequest, type SipResponse } from './types.js';
import { parseUri, schemeEnd } from './uri.js';

/** Names of the request checks, stable for tests and metrics. */
export type RequestCheck =
  | 'version'
  | 'missing-header'
  | 'duplicate-header'
  | 'via'
  | 'branch'
  | 'from'
  | 'to'
  | 'call-id'
  | 'cseq'
  | 'method'
  | 'cseq-method'
  | 'request-uri'
  | 'uri-scheme'
  | 'contact'
  | 'route'
  | 'max-forwards'
  | 'register-to'
  | 'require'
  | 'proxy-require'
  | 'content-type'
  | 'unsupported-media'
  | 'accept';

export interface RequestRejection {
  readonly ok: false;
  readonly status: number;
  readonly reason: string;
  /** What was wrong, for logs. */
  readonly detail: string;
  readonly check: RequestCheck;
  /** False for ACK, which is never answered (RFC 3261 §17.2.1): drop it instead. */
  readonly respond: boolean;
  /** Header lines the answer must carry (Allow for 501, Unsupported for 420, Accept for 415). */
  readonly responseHeaders: readonly (readonly [name: string, value: string])[];
}

export type RequestVerdict = { readonly ok: true } | RequestRejection;

export interface RequestPolicy {
  /** `uas` (default): Dialtone as the endpoint. `proxy`: Max-Forwards 0 → 483, Proxy-Require checked. */
  readonly role?: 'uas' | 'proxy';
  /** Methods understood; others get 501 with Allow. */
  readonly knownMethods?: ReadonlySet<string>;
  /** Request-URI schemes served; others get 416. */
  readonly supportedSchemes?: ReadonlySet<string>;
  /** Option tags supported; a Require (or, for a proxy, Proxy-Require) naming another gets 420. */
  readonly supportedExtensions?: ReadonlySet<string>;
  /** Body types understood as a UAS; others get 415. Compared lower-cased as `type/subtype`. */
  readonly acceptedContentTypes?: ReadonlySet<string>;
}

export const DEFAULT_REQUEST_POLICY: Required<RequestPolicy> = Object.freeze({
  role: 'uas',
  knownMethods: new Set<string>(SIP_METHODS),
  supportedSchemes: new Set(['sip', 'sips', 'tel']),
  supportedExtensions: new Set<string>(),
  acceptedContentTypes: new Set([
    'application/sdp',
    'multipart/mixed',
    'multipart/alternative',
    'application/dtmf-relay',
    'application/dtmf',
    'message/sipfrag',
    'text/plain',
  ]),
});

const MANDATORY = ['Via', 'From', 'To', 'Call-ID', 'CSeq'] as const;
const SINGLE_VALUED = ['From', 'To', 'Call-ID', 'CSeq', 'Max-Forwards', 'Content-Type'] as const;

/** Decide whether a parsed request may go up to the transaction layer, or what to answer. */
export function validateRequest(req: SipRequest, policy: RequestPolicy = {}): RequestVerdict {
  const role = policy.role ?? DEFAULT_REQUEST_POLICY.role;
  const known = policy.knownMethods ?? DEFAULT_REQUEST_POLICY.knownMethods;
  const schemes = policy.supportedSchemes ?? DEFAULT_REQUEST_POLICY.supportedSchemes;
  const extensions = policy.supportedExtensions ?? DEFAULT_REQUEST_POLICY.supportedExtensions;
  const bodyTypes = policy.acceptedContentTypes ?? DEFAULT_REQUEST_POLICY.acceptedContentTypes;
  const respond = req.method !== 'ACK';
  const reject = (
    status: number,
    check: RequestCheck,
    detail: string,
    responseHeaders: readonly (readonly [string, string])[] = [],
  ): RequestRejection => ({ ok: false, status, reason: reasonPhrase(status), detail, check, respond, responseHeaders });

  if (req.version.toUpperCase() !== 'SIP/2.0') return reject(505, 'version', `unsupported version ${req.version}`);

  const h = req.headers;
  for (const name of MANDATORY) if (!h.has(name)) return reject(400, 'missing-header', `missing ${name}`);
  for (const name of SINGLE_VALUED) if (h.count(name) > 1) return reject(400, 'duplicate-header', `more than one ${name}`);

  const vias = getVias(req);
  if (vias === undefined) return reject(400, 'via', 'malformed Via');
  if (vias[0]?.branch === BRANCH_MAGIC_COOKIE) return reject(400, 'branch', 'Via branch has the magic cookie but no identifier');
  const from = getFrom(req);
  if (from === undefined) return reject(400, 'from', 'malformed From');
  const to = getTo(req);
  if (to === undefined) return reject(400, 'to', 'malformed To');
  if (getCallId(req) === undefined) return reject(400, 'call-id', 'malformed Call-ID');
  const cseq = getCSeq(req);
  if (cseq === undefined) return reject(400, 'cseq', 'malformed CSeq (or number ≥ 2^31)');

  if (!known.has(req.method)) {
    return reject(501, 'method', `method ${req.method} not implemented`, [['Allow', [...known].join(', ')]]);
  }
  if (cseq.method !== req.method) return reject(400, 'cseq-method', `CSeq method ${cseq.method} ≠ ${req.method}`);

  const colon = schemeEnd(req.uri);
  const scheme = colon < 0 ? '' : req.uri.slice(0, colon).toLowerCase();
  if (!schemes.has(scheme)) return reject(416, 'uri-scheme', `Request-URI scheme "${scheme}" not supported`);
  const ruri = parseUri(req.uri);
  if (ruri === undefined) return reject(400, 'request-uri', 'malformed Request-URI');
  if (ruri.kind === 'sip' && ruri.headers.length > 0) {
    return reject(400, 'request-uri', 'Request-URI carries headers (RFC 3261 §19.1.5)');
  }

  if (h.has('Contact')) {
    const contacts = getContacts(req);
    if (contacts === undefined) return reject(400, 'contact', 'malformed Contact');
    if (contacts.wildcard && req.method !== 'REGISTER') return reject(400, 'contact', 'Contact * outside REGISTER');
  }
  if (getRoutes(req) === undefined) return reject(400, 'route', 'malformed Route');
  if (getRecordRoutes(req) === undefined) return reject(400, 'route', 'malformed Record-Route');

  // A malformed Max-Forwards is treated as absent (RFC 4475 §3.1.2.4).
  if (role === 'proxy' && getMaxForwards(req) === 0) return reject(483, 'max-forwards', 'Max-Forwards is 0');

  if (role === 'uas' && req.method === 'REGISTER' && to.uri.kind !== 'sip') {
    return reject(400, 'register-to', 'REGISTER To is not a SIP or SIPS URI');
  }

  if (req.method !== 'ACK' && req.method !== 'CANCEL') {
    if (h.has('Require')) {
      const require = getRequire(req);
      if (require === undefined) return reject(400, 'require', 'malformed Require');
      const unsupported = require.filter((tag) => !extensions.has(tag));
      if (unsupported.length > 0 && role === 'uas') {
        return reject(420, 'require', `unsupported: ${unsupported.join(', ')}`, [['Unsupported', unsupported.join(', ')]]);
      }
    }
    if (role === 'proxy' && h.has('Proxy-Require')) {
      const proxyRequire = getProxyRequire(req);
      if (proxyRequire === undefined) return reject(400, 'proxy-require', 'malformed Proxy-Require');
      const unsupported = proxyRequire.filter((tag) => !extensions.has(tag));
      if (unsupported.length > 0) {
        return reject(420, 'proxy-require', `unsupported: ${unsupported.join(', ')}`, [
          ['Unsupported', unsupported.join(', ')],
        ]);
      }
    }
  }

  if (req.body.byteLength > 0) {
    if (!h.has('Content-Type')) return reject(400, 'content-type', 'body without Content-Type');
    const ct = getContentType(req);
    if (ct === undefined) return reject(400, 'content-type', 'malformed Content-Type');
    // A body the UAS need not understand (handling=optional, RFC 3261 §20.11) is ignored.
    const optional = getContentDisposition(req)?.handling === 'optional';
    if (role === 'uas' && !optional && !bodyTypes.has(ct.mediaType)) {
      return reject(415, 'unsupported-media', `body type ${ct.mediaType} not supported`, [
        ['Accept', [...bodyTypes].join(', ')],
      ]);
    }
  }

  if (role === 'uas' && req.method === 'INVITE' && h.has('Accept')) {
    const accept = getAccept(req);
    if (accept === undefined) return reject(400, 'accept', 'malformed Accept');
    const sdpOk = accept.some(
      (t) => (t.type === '*' || t.type === 'application') && (t.subtype === '*' || t.subtype === 'sdp'),
    );
    if (!sdpOk) return reject(406, 'accept', 'Accept does not allow application/sdp');
  }

  return { ok: true };
}

/** The response to send for a rejection; `undefined` when it must not be answered (ACK). */
export function rejectionResponse(req: SipRequest, verdict: RequestRejection, toTag?: string): SipResponse | undefined {
  if (!verdict.respond) return undefined;
  return buildResponse(req, verdict.status, verdict.reason, {
    headers: verdict.responseHeaders,
    ...(toTag === undefined ? {} : { toTag }),
  });
}

/** Names of the response checks. */
export type ResponseCheck =
  | 'version'
  | 'missing-header'
  | 'via'
  | 'via-count'
  | 'via-broadcast'
  | 'from'
  | 'to'
  | 'call-id'
  | 'cseq';

export type ResponseVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly check: ResponseCheck; readonly detail: string };

export interface ResponsePolicy {
  /** `uac` (default): a response must carry exactly one Via (§8.1.3.3). `proxy`: never forward to a broadcast sent-by. */
  readonly role?: 'uac' | 'proxy';
}

/** Decide whether a parsed response may go up to the transaction layer; a failure means drop it. */
export function validateResponse(res: SipResponse, policy: ResponsePolicy = {}): ResponseVerdict {
  const role = policy.role ?? 'uac';
  const drop = (check: ResponseCheck, detail: string): ResponseVerdict => ({ ok: false, check, detail });
  if (res.version.toUpperCase() !== 'SIP/2.0') return drop('version', `unsupported version ${res.version}`);
  for (const name of MANDATORY) if (!res.headers.has(name)) return drop('missing-header', `missing ${name}`);
  const vias = getVias(res);
  if (vias === undefined) return drop('via', 'malformed Via');
  if (role === 'uac' && vias.length !== 1) return drop('via-count', `${vias.length} Via values in a response to a UAC`);
  if (role === 'proxy' && vias.slice(1).some((v) => v.host === '255.255.255.255')) {
    return drop('via-broadcast', 'response would be forwarded to a broadcast address');
  }
  if (getFrom(res) === undefined) return drop('from', 'malformed From');
  if (getTo(res) === undefined) return drop('to', 'malformed To');
  if (getCallId(res) === undefined) return drop('call-id', 'malformed Call-ID');
  if (getCSeq(res) === undefined) return drop('cseq', 'malformed CSeq');
  return { ok: true };
}

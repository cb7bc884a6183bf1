/**
 * A registrar (RFC 3261 §10.3) for the SIP clients of an account: a softphone or an
 * app's SIP SDK registers `sip:alice@dialtone`, proving it holds alice's password with
 * Digest, and `<Dial><Client>alice` then rings wherever alice registered.
 *
 * The address of record is the authenticated username: a client may only register the
 * user it authenticated as (403 otherwise), whatever host its To names, since one
 * Dialtone is one domain.
 */
import { type DigestAlgorithm, type DigestHash, createChallenges, failureResponse, verifyCredentials } from '../auth/digest.js';
import type { NonceIssuer, NonceVerifier } from '../auth/nonce.js';
import {
  type NameAddr,
  type SipRequest,
  findParam,
  formatUri,
  getAuthorization,
  getCallId,
  getContacts,
  getCSeq,
  getExpires,
  getTo,
} from '../message/index.js';
import type { ServerTransaction } from '../transaction/layer.js';
import type { InboundMessage, SipLogger } from '../transport/types.js';
import type { ContactUpdate, LocationService } from './location.js';

export interface RegistrarOptions {
  readonly location: LocationService;
  /** The Digest realm clients answer for; their stored HA1s are made for it. */
  readonly realm: string;
  readonly nonces: NonceIssuer & NonceVerifier;
  /** H(username:realm:password) of a client, or undefined when there is no such client. */
  readonly lookupHA1: (username: string, realm: string, hash: DigestHash) => Promise<string | undefined> | string | undefined;
  /**
   * The challenges of a 401, most preferred first; default SHA-256 then MD5 (RFC 8760).
   * Some clients give up on a 401 that offers any algorithm they lack (baresip 1.0's libre
   * does, with ENOSYS), so deployments with such clients offer MD5 alone.
   */
  readonly algorithms?: readonly DigestAlgorithm[];
  /** Shortest registration accepted, s (423 below it); default 60. */
  readonly minExpires?: number;
  /** Longest granted, s (longer requests are cut down); default 3600. */
  readonly maxExpires?: number;
  /** When the REGISTER names none, s; default 3600. */
  readonly defaultExpires?: number;
  /** Ms since the epoch; default `Date.now`. */
  readonly now?: () => number;
  readonly logger?: SipLogger;
  /** Told of each change, for the timeline and metrics. */
  readonly onChange?: (aor: string, bindings: number) => void;
}


function replyHeaders(...lines: [string, string][]): { headers: [string, string][] } {
  return { headers: lines };
}

export class Registrar {
  readonly #o: RegistrarOptions;
  readonly #min: number;
  readonly #max: number;
  readonly #default: number;
  readonly #now: () => number;
  readonly #algorithms: readonly DigestAlgorithm[];

  constructor(options: RegistrarOptions) {
    this.#o = options;
    this.#algorithms = options.algorithms ?? ['SHA-256', 'MD5'];
    this.#min = options.minExpires ?? 60;
    this.#max = options.maxExpires ?? 3600;
    this.#default = Math.min(options.defaultExpires ?? 3600, this.#max);
    this.#now = options.now ?? Date.now;
  }

  /** Answer one REGISTER. Never throws: a failure becomes a response. */
  async handle(request: SipRequest, tx: ServerTransaction, inbound: InboundMessage): Promise<void> {
    try {
      await this.#handle(request, tx, inbound);
    } catch (err) {
      this.#o.logger?.warn({ err }, 'REGISTER failed');
      tx.reply(500);
    }
  }

  async #handle(request: SipRequest, tx: ServerTransaction, inbound: InboundMessage): Promise<void> {
    const auth = await verifyCredentials(getAuthorization(request), {
      method: 'REGISTER',
      realm: this.#o.realm,
      nonces: this.#o.nonces,
      requestUri: request.uri,
      algorithms: this.#algorithms,
      lookupHA1: (username, realm, hash) => this.#o.lookupHA1(username, realm, hash),
    });
    if (!auth.ok) {
      const failure = failureResponse(auth.reason);
      if (auth.reason !== 'missing') this.#o.logger?.info({ reason: auth.reason, username: auth.username }, 'REGISTER refused');
      if (failure.status === 400) {
        tx.reply(400, 'Bad Credentials');
        return;
      }
      const challenges = createChallenges({ realm: this.#o.realm, algorithms: this.#algorithms, stale: failure.stale }, this.#o.nonces);
      tx.reply(401, undefined, { headers: challenges.map((c) => ['WWW-Authenticate', c] as [string, string]) });
      return;
    }
    const to = getTo(request);
    const toUser = to?.uri.kind === 'sip' ? to.uri.user : undefined;
    if (toUser === undefined || decodeURIComponent(toUser) !== auth.username) {
      tx.reply(403, 'Forbidden (To is not the authenticated user)');
      return;
    }
    const aor = auth.username;
    const callId = getCallId(request) ?? '';
    const cseq = getCSeq(request)?.seq ?? 0;
    const now = this.#now();
    const contacts = getContacts(request);
    const expiresHeader = getExpires(request);

    if (contacts?.wildcard === true) {
      // §10.3 step 6: `*` only with Expires: 0 and alone.
      if (expiresHeader !== 0) {
        tx.reply(400, 'Contact * needs Expires: 0');
        return;
      }
      const removed = this.#o.location.removeAll({ aor, callId, cseq, now });
      if (!removed.ok) {
        tx.reply(500, 'Out of Order REGISTER');
        return;
      }
      this.#o.onChange?.(aor, 0);
      tx.reply(200, undefined, replyHeaders(['Date', new Date(now).toUTCString()]));
      return;
    }

    const updates: ContactUpdate[] = [];
    for (const contact of contacts?.contacts ?? []) {
      const update = this.#update(contact, expiresHeader);
      if (update === undefined) {
        tx.reply(400, 'Bad Contact');
        return;
      }
      if (update.expiresSeconds > 0 && update.expiresSeconds < this.#min) {
        tx.reply(423, undefined, replyHeaders(['Min-Expires', String(this.#min)]));
        return;
      }
      updates.push(update);
    }
    if (updates.length > 0) {
      const flow = {
        transport: inbound.flow.transport,
        host: inbound.source.host,
        port: inbound.source.port,
        flowId: inbound.flow.id,
      };
      const written = this.#o.location.update(
        { aor, callId, cseq, flow, userAgent: request.headers.get('User-Agent'), now },
        updates,
      );
      if (!written.ok) {
        tx.reply(500, 'Out of Order REGISTER');
        return;
      }
    }
    // §10.3 step 8: the 200 lists every current binding with the time it has left.
    const bindings = this.#o.location.lookup(aor, now);
    if (updates.length > 0) this.#o.onChange?.(aor, bindings.length);
    const headers: [string, string][] = bindings.map((b) => [
      'Contact',
      `<${b.contact}>;expires=${Math.max(0, Math.round((b.expiresAt - now) / 1000))}`,
    ]);
    headers.push(['Date', new Date(now).toUTCString()]);
    tx.reply(200, undefined, { headers });
  }

  #update(contact: NameAddr, expiresHeader: number | undefined): ContactUpdate | undefined {
    if (contact.uri.kind === 'absolute') return undefined;
    const param = findParam(contact.params, 'expires');
    let expires = expiresHeader ?? this.#default;
    if (param !== undefined) {
      if (param === null || !/^\d{1,10}$/.test(param)) return undefined;
      expires = Number(param);
    }
    const qParam = findParam(contact.params, 'q');
    const q = qParam === undefined || qParam === null ? 1 : Number(qParam);
    if (!(q >= 0 && q <= 1)) return undefined;
    return { contact: formatUri(contact.uri), expiresSeconds: Math.min(expires, this.#max), q };
  }
}

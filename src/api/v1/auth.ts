import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Store } from '../../store/index.js';
import { Authenticator } from '../compat/auth.js';
import type { Principal } from '../principal.js';
import { accountNotActive, AuthenticateError } from '../compat/errors.js';

/** How far X-ApifonWS-Date may be from the server's clock: a captured request replays only within it. */
export const SIGNATURE_SKEW_MS = 15 * 60 * 1000;

/** What a signature covers, as Apifon's SDKs build it. */
export interface SignedRequest {
  readonly method: string;
  /** The URL path without host or query. */
  readonly path: string;
  /** The exact body bytes as text; `''` when there is none. */
  readonly body: string;
  /** The X-ApifonWS-Date header. */
  readonly date: string;
}

/** `base64(HMAC-SHA256(secret, METHOD \n PATH \n BODY \n DATE))`: Apifon's request signature. */
export function apifonSignature(secret: string, request: SignedRequest): string {
  return createHmac('sha256', secret).update(`${request.method}\n${request.path}\n${request.body}\n${request.date}`).digest('base64');
}

/**
 * The native API's authentication. HTTP Basic as on the compatible API (account SID and
 * auth token, or an API key and its secret), or Apifon's signed scheme:
 * `Authorization: ApifonWS <AccountSid>:<signature>` with `X-ApifonWS-Date`, the
 * signature keyed with the auth token (API key secrets are kept only as hashes, so a key
 * signs nothing: it uses Basic). Every failure is the same 20003.
 */
export class V1Authenticator {
  readonly #basic: Authenticator;

  constructor(
    readonly store: Store,
    readonly now: () => number = Date.now,
  ) {
    this.#basic = new Authenticator(store);
  }

  /** Who a Basic `header` was verified as a moment ago (see {@link Authenticator.remembered}); signed requests are checked every time. */
  remembered(header: string | undefined): Principal | undefined {
    return this.#basic.remembered(header);
  }

  async authenticate(header: string | undefined, signed: Omit<SignedRequest, 'date'> & { date: string | undefined }): Promise<Principal> {
    const m = header === undefined ? null : /^ApifonWS\s+([^:\s]+):(\S+)\s*$/i.exec(header);
    if (!m) return this.#basic.authenticate(header);
    const [, token, signature] = m as unknown as [string, string, string];
    const date = signed.date;
    if (date === undefined) throw new AuthenticateError('Authenticate: X-ApifonWS-Date is required with ApifonWS');
    const at = Date.parse(date);
    if (Number.isNaN(at) || Math.abs(this.now() - at) > SIGNATURE_SKEW_MS) {
      throw new AuthenticateError('Authenticate: X-ApifonWS-Date is missing, malformed or more than 15 minutes from the server clock');
    }
    const account = await this.store.accounts.get(token);
    const expected = Buffer.from(apifonSignature(account?.authToken ?? '\u0000', { ...signed, date }));
    const given = Buffer.from(signature);
    const ok = given.length === expected.length && timingSafeEqual(given, expected);
    if (!account || !ok) throw new AuthenticateError();
    if (account.status !== 'active') throw accountNotActive(account.sid);
    return { account, via: 'auth-token' };
  }
}

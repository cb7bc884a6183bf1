import { createHash, timingSafeEqual } from 'node:crypto';
import { isSid, type Store } from '../../store/index.js';
import { accountNotActive, AuthenticateError } from './errors.js';
import type { Principal } from '../principal.js';

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Compares digests, so neither the length nor the first differing byte shows in the time taken. */
function sameSecret(given: string, expectedDigest: Buffer): boolean {
  return timingSafeEqual(sha256(given), expectedDigest);
}

/** A digest nothing hashes to in practice: unknown users cost the same comparison as known ones. */
const NOBODY = sha256('\u0000dialtone-unknown-user');

/**
 * How long a verified credential is trusted without asking the store again. A change made
 * in this process (a token set anew, a key deleted) takes effect at once through the
 * store's credential epoch; one made by another process sharing the database, within
 * this time.
 */
const REMEMBERED_FOR_MS = 2_000;
/** Enough for every client of a busy node; past it the memory starts over. */
const MOST_REMEMBERED = 1_024;

interface Remembered {
  readonly principal: Principal;
  readonly epoch: number;
  readonly until: number;
}

/**
 * HTTP Basic authentication as Twilio does it: `AccountSid:AuthToken`, or an API key
 * `SK…:secret` acting for the account that owns it. Every failure is the same 20003.
 * A header verified a moment ago is trusted again without a store read and two hashes:
 * API clients send the same header on every request. Failures are never remembered.
 */
export class Authenticator {
  readonly #verified = new Map<string, Remembered>();

  constructor(readonly store: Store) {}

  /** Who `header` was verified as a moment ago, with no store read; undefined when it must be verified. */
  remembered(header: string | undefined): Principal | undefined {
    if (header === undefined) return undefined;
    const remembered = this.#verified.get(header);
    if (remembered === undefined) return undefined;
    if (remembered.until > performance.now() && remembered.epoch === this.store.accounts.credentialEpoch.value) return remembered.principal;
    this.#verified.delete(header);
    return undefined;
  }

  async authenticate(header: string | undefined): Promise<Principal> {
    const known = this.remembered(header);
    if (known !== undefined) return known;
    if (header === undefined) throw new AuthenticateError();
    const epoch = this.store.accounts.credentialEpoch.value;
    const principal = await this.#verify(header);
    if (this.#verified.size >= MOST_REMEMBERED) this.#verified.clear();
    this.#verified.set(header, { principal, epoch, until: performance.now() + REMEMBERED_FOR_MS });
    return principal;
  }

  async #verify(header: string): Promise<Principal> {
    const credentials = parseBasic(header);
    if (credentials === undefined) throw new AuthenticateError();
    const { username, password } = credentials;
    if (isSid(username, 'SK')) {
      const key = await this.store.apiKeys.credential(username);
      const ok = sameSecret(password, key ? Buffer.from(key.secretHash, 'hex') : NOBODY);
      if (!key || !ok) throw new AuthenticateError();
      const account = await this.store.accounts.get(key.accountSid);
      if (!account) throw new AuthenticateError();
      if (account.status !== 'active') throw accountNotActive(account.sid);
      return { account, via: 'api-key' };
    }
    const account = await this.store.accounts.get(username);
    const ok = sameSecret(password, account ? sha256(account.authToken) : NOBODY);
    if (!account || !ok) throw new AuthenticateError();
    if (account.status !== 'active') throw accountNotActive(account.sid);
    return { account, via: 'auth-token' };
  }
}

export function parseBasic(header: string | undefined): { username: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

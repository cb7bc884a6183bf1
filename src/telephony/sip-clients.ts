/**
 * The SIP clients of each account: their credentials (in the store), where they are
 * registered (the registrar's location service, in memory), and where `<Dial><Client>`
 * finds them. Clients register as `sip:USERNAME@<this Dialtone>` with the password given
 * to `dialtone clients add`.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { DigestNonces, digestHA1 } from '../sip/auth/index.js';
import { LocationService, Registrar } from '../sip/registrar/index.js';
import type { ClientDirectory, SipRoute } from './dial-plan.js';
import type { UserAgent } from '../sip/ua/index.js';
import type { SipClient, Store } from '../store/index.js';

/** The Digest realm of this Dialtone; stored HA1s are made for it, so it does not change. */
export const SIP_REALM = 'dialtone';

export interface SipClientsDeps {
  readonly ua: UserAgent;
  readonly store: Store;
  readonly logger: Logger;
  /** Ms since the epoch; default `Date.now`. */
  readonly now?: () => number;
}

/** Create a client of an account with a password (kept only as its Digest HA1s). */
export function createSipClient(store: Store, accountSid: string, username: string, password: string): Promise<SipClient> {
  return store.sipClients.create(accountSid, {
    username,
    realm: SIP_REALM,
    ha1: { md5: digestHA1('MD5', username, SIP_REALM, password), sha256: digestHA1('SHA-256', username, SIP_REALM, password) },
  });
}

export class SipClients implements ClientDirectory {
  readonly location = new LocationService();
  readonly #deps: SipClientsDeps;
  readonly #now: () => number;

  constructor(deps: SipClientsDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    // Nonces need only outlive one registration exchange in this process.
    const nonces = new DigestNonces({ secret: randomBytes(32), now: this.#now });
    const registrar = new Registrar({
      location: this.location,
      realm: SIP_REALM,
      nonces,
      // MD5 alone, as Twilio's and Asterisk's registrars: common softphones (baresip 1.0
      // among them) give up on a challenge list that includes SHA-256.
      algorithms: ['MD5'],
      lookupHA1: (username, realm, hash) => deps.store.sipClients.ha1(username, realm, hash),
      now: this.#now,
      logger: deps.logger,
      onChange: (aor, bindings) => deps.logger.info({ client: aor, bindings }, 'SIP client registration'),
    });
    deps.ua.on('register', (request, tx, inbound) => void registrar.handle(request, tx, inbound));
  }

  /**
   * Where `<Client>identity` rings: its most preferred registration, over the flow its
   * REGISTER came on (the Contact may name an address behind NAT).
   */
  async locate(identity: string, accountSid: string): Promise<SipRoute | undefined> {
    const client = await this.#deps.store.sipClients.byUsername(identity);
    if (client === undefined || client.accountSid !== accountSid) return undefined;
    const [best] = this.location.lookup(client.username, this.#now());
    return best === undefined ? undefined : { kind: 'sip', uri: best.contact, destination: best.flow, via: 'client' };
  }
}

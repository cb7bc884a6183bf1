/**
 * Where a dialled target goes. `<Sip>` URIs go where they say; a `<Number>` that is one
 * of the account's own numbers loops back into this node (an INVITE to our own SIP
 * listener, so the number's application answers it as a real second call); any other
 * number goes to a trunk, and a `<Client>` to the SIP clients registered for the account.
 * Trunks and the registrar are other parts of Dialtone: they plug in through
 * `TrunkRoutes` and `ClientDirectory`; without them such targets have no route.
 */
import type { SipCredentials } from './outbound-call.js';
import { normaliseE164 } from './e164.js';
import { formatHostPort } from '../sip/transport/address.js';
import type { Destination } from '../sip/transport/types.js';

/** What to dial, as the engine names it (a `DialTarget` of the CallLeg port). */
export interface RouteTarget {
  readonly kind: 'number' | 'sip' | 'client';
  readonly address: string;
  readonly username?: string;
  readonly password?: string;
}

/** A SIP destination for one target. */
export interface SipRoute {
  readonly kind: 'sip';
  /** The Request-URI. */
  readonly uri: string;
  /** Where to send it when not where the URI says (an outbound proxy, a trunk's host). */
  readonly destination?: Destination;
  readonly credentials?: SipCredentials;
  readonly headers?: readonly (readonly [string, string])[];
  /** How it was found, for the timeline: `sip`, `loopback`, `trunk`, `client`. */
  readonly via: string;
  /** The caller ID this route insists on (a trunk's fixed From number), over the Dial's. */
  readonly callerId?: string;
  /** The trunk it goes through, for the timeline. */
  readonly trunk?: { readonly sid: string; readonly name: string };
}

export interface NoRoute {
  readonly kind: 'none';
  /** A sentence for the timeline. */
  readonly reason: string;
  /** Twilio's error code, when one fits (13223 invalid number, 13224 number not dialable). */
  readonly code?: number;
}

export type Route = SipRoute | NoRoute;

/** The seam for trunks: a number that is not ours, and how to reach it. */
export interface TrunkRoutes {
  route(number: string, accountSid: string): Promise<SipRoute | undefined>;
}

/** The seam for the registrar: where an account's `<Client>` identity is registered now. */
export interface ClientDirectory {
  locate(identity: string, accountSid: string): Promise<SipRoute | undefined>;
}

/** Finds a route for one target of one account. */
export interface DialPlan {
  route(target: RouteTarget, accountSid: string): Promise<Route>;
}

export interface DefaultDialPlanDeps {
  /** Whether `number` (E.164) belongs to `accountSid`. */
  readonly ownsNumber: (number: string, accountSid: string) => Promise<boolean>;
  /** Our own SIP listener (host, port, transport): where looped-back calls go. */
  readonly self: () => Destination;
  readonly trunks?: TrunkRoutes;
  readonly clients?: ClientDirectory;
}

export class DefaultDialPlan implements DialPlan {
  readonly #deps: DefaultDialPlanDeps;

  constructor(deps: DefaultDialPlanDeps) {
    this.#deps = deps;
  }

  async route(target: RouteTarget, accountSid: string): Promise<Route> {
    switch (target.kind) {
      case 'sip': {
        if (!/^sips?:/i.test(target.address)) return { kind: 'none', reason: `not a SIP URI: ${target.address}`, code: 13243 };
        const credentials = target.username !== undefined && target.password !== undefined ? { username: target.username, password: target.password } : undefined;
        const { uri, headers } = splitUriHeaders(target.address);
        return { kind: 'sip', uri, via: 'sip', ...(credentials ? { credentials } : {}), ...(headers.length > 0 ? { headers } : {}) };
      }
      case 'number': {
        const number = normaliseE164(target.address);
        if (number === undefined) return { kind: 'none', reason: `not a phone number: ${target.address}`, code: 13223 };
        if (await this.#deps.ownsNumber(number, accountSid)) {
          const self = this.#deps.self();
          const transport = self.transport === 'UDP' ? '' : `;transport=${self.transport.toLowerCase()}`;
          return { kind: 'sip', uri: `sip:${number}@${formatHostPort(self)}${transport}`, destination: self, via: 'loopback' };
        }
        const trunk = await this.#deps.trunks?.route(number, accountSid);
        if (trunk !== undefined) return trunk;
        return { kind: 'none', reason: `no route to ${number}: it is not a number of this account and no trunk takes it`, code: 13224 };
      }
      case 'client': {
        const found = await this.#deps.clients?.locate(target.address, accountSid);
        if (found !== undefined) return found;
        return { kind: 'none', reason: `no route to client ${target.address}: no SIP client is registered under that identity` };
      }
    }
  }
}

/** X- headers and the few named ones Twilio lets through (dialects.md §3.5.3). */
const ALLOWED_HEADER = /^(X-[A-Za-z0-9-]+|User-to-User|Remote-Party-ID|P-Preferred-Identity|P-Called-Party-ID)$/i;

/** Twilio accepts custom headers in the URI (`sip:bob@host?X-Tag=1&X-Other=2`): they go in the INVITE. */
function splitUriHeaders(address: string): { uri: string; headers: [string, string][] } {
  const q = address.indexOf('?');
  if (q === -1) return { uri: address, headers: [] };
  const headers: [string, string][] = [];
  for (const pair of address.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(pair.slice(0, eq));
      value = decodeURIComponent(pair.slice(eq + 1));
    } catch {
      continue;
    }
    if (ALLOWED_HEADER.test(name) && !/[\r\n]/.test(value)) headers.push([name, value]);
  }
  return { uri: address.slice(0, q), headers };
}

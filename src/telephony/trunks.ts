/**
 * Trunks as the dial plan sees them: which of an account's trunks takes a number, and the
 * INVITE that goes to it.
 *
 * - Selection: the trunk whose prefix matches the most of the number wins (`+4420` beats
 *   `+44`, which beats `*`); among equally long matches the lowest priority number, then
 *   the name. Disabled trunks take nothing.
 * - The dialled number is rewritten per trunk: `stripPrefix` is removed from its front when
 *   it starts with it, then `addPrefix` is put in front (`+4915550123`, strip `+`, add
 *   `00` → `004915550123`). The Request-URI is `sip:NUMBER@host:port;transport=udp|tcp`,
 *   sent to the trunk's host and port.
 * - Caller ID: a trunk with `callerId` sends every call from that number (carriers take
 *   only numbers they gave you); without it the Dial's caller ID goes through as is.
 * - A 401/407 from the trunk is answered with its username and password.
 */
import { formatHostPort } from '../sip/transport/address.js';
import type { Trunk } from '../store/index.js';
import type { SipRoute, TrunkRoutes } from './dial-plan.js';

/** Where trunks come from: the store's repository, or a list in a test. */
export interface TrunkSource {
  list(accountSid: string): Promise<readonly Trunk[]>;
}

export interface TrunkChoice {
  readonly trunk: Trunk;
  /** The prefix that matched (`*` for a catch-all). */
  readonly prefix: string;
}

/** The trunk that takes `number` (E.164), or undefined when none does. */
export function chooseTrunk(trunks: readonly Trunk[], number: string): TrunkChoice | undefined {
  let best: (TrunkChoice & { readonly length: number }) | undefined;
  for (const trunk of trunks) {
    if (!trunk.enabled) continue;
    let length = -1;
    let prefix = '';
    for (const p of trunk.prefixes) {
      const l = p === '*' ? 0 : number.startsWith(p) ? p.length : -1;
      if (l > length) {
        length = l;
        prefix = p;
      }
    }
    if (length < 0) continue;
    if (
      best === undefined ||
      length > best.length ||
      (length === best.length &&
        (trunk.priority < best.trunk.priority || (trunk.priority === best.trunk.priority && trunk.friendlyName < best.trunk.friendlyName)))
    ) {
      best = { trunk, prefix, length };
    }
  }
  return best === undefined ? undefined : { trunk: best.trunk, prefix: best.prefix };
}

/** The number as the trunk wants it: `stripPrefix` off its front (when there), then `addPrefix` on. */
export function rewriteNumber(number: string, trunk: Pick<Trunk, 'stripPrefix' | 'addPrefix'>): string {
  const strip = trunk.stripPrefix;
  const stripped = strip !== null && strip !== '' && number.startsWith(strip) ? number.slice(strip.length) : number;
  return (trunk.addPrefix ?? '') + stripped;
}

/** The INVITE for `number` (E.164) through `trunk`. */
export function trunkRoute(trunk: Trunk, number: string): SipRoute {
  return {
    kind: 'sip',
    uri: `sip:${rewriteNumber(number, trunk)}@${formatHostPort(trunk)};transport=${trunk.transport}`,
    destination: { host: trunk.host, port: trunk.port, transport: trunk.transport === 'tcp' ? 'TCP' : 'UDP' },
    ...(trunk.username !== null && trunk.password !== null ? { credentials: { username: trunk.username, password: trunk.password } } : {}),
    ...(trunk.callerId !== null ? { callerId: trunk.callerId } : {}),
    via: 'trunk',
    trunk: { sid: trunk.sid, name: trunk.friendlyName },
  };
}

/** `TrunkRoutes` over the account's trunks, read at each dial (so `dialtone trunks add` needs no restart). */
export class StoredTrunkRoutes implements TrunkRoutes {
  readonly #source: TrunkSource;

  constructor(source: TrunkSource) {
    this.#source = source;
  }

  async route(number: string, accountSid: string): Promise<SipRoute | undefined> {
    const choice = chooseTrunk(await this.#source.list(accountSid), number);
    return choice === undefined ? undefined : trunkRoute(choice.trunk, number);
  }
}

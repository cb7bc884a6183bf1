/**
 * The headers of SIP-specific event notification (RFC 6665): `Event` (package and `id`)
 * and `Subscription-State` (state, `expires`, `reason`). Parsing never throws: a value
 * that does not read gives `undefined`.
 */
import { findParam, parseGenericParams, scanToken, skipWs } from './grammar.js';
import type { HasHeaders, SipParam } from './types.js';

/** `Event: refer;id=93809824`. */
export interface EventHeader {
  /** The event package, lower-case (`refer`, `dialog`, `presence`). */
  readonly package: string;
  /** The `id` parameter, when given. */
  readonly id: string | undefined;
  readonly params: readonly SipParam[];
}

export type SubscriptionStateValue = 'active' | 'pending' | 'terminated';

/** `Subscription-State: terminated;reason=noresource`. */
export interface SubscriptionState {
  /** `active`, `pending`, `terminated`; an extension value as given, lower-case. */
  readonly state: SubscriptionStateValue | string;
  readonly expires: number | undefined;
  readonly reason: string | undefined;
  readonly params: readonly SipParam[];
}

/** A token followed by generic parameters, the token lower-cased. */
function tokenWithParams(value: string): { token: string; params: SipParam[] } | undefined {
  const start = skipWs(value, 0);
  const end = scanToken(value, start);
  if (end === start) return undefined;
  const params = parseGenericParams(value, end);
  if (params === undefined) return undefined;
  return { token: value.slice(start, end).toLowerCase(), params };
}

export function parseEventHeader(value: string): EventHeader | undefined {
  const read = tokenWithParams(value);
  if (read === undefined) return undefined;
  const id = findParam(read.params, 'id');
  return { package: read.token, id: id ?? undefined, params: read.params };
}

export function parseSubscriptionState(value: string): SubscriptionState | undefined {
  const read = tokenWithParams(value);
  if (read === undefined) return undefined;
  const expires = findParam(read.params, 'expires');
  const reason = findParam(read.params, 'reason');
  return {
    state: read.token,
    expires: expires === undefined || expires === null || !/^\d{1,10}$/.test(expires) ? undefined : Number(expires),
    reason: reason ?? undefined,
    params: read.params,
  };
}

export function getEventHeader(m: HasHeaders): EventHeader | undefined {
  const value = m.headers.get('Event');
  return value === undefined ? undefined : parseEventHeader(value);
}

export function getSubscriptionState(m: HasHeaders): SubscriptionState | undefined {
  const value = m.headers.get('Subscription-State');
  return value === undefined ? undefined : parseSubscriptionState(value);
}

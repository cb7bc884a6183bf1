/**
 * Addresses on the way in and out: the `received` / `rport` stamp on the top Via of a
 * request (RFC 3261 §18.2.1, RFC 3581 §4) and where a response goes (RFC 3261 §18.2.2,
 * RFC 3581 §4). Pure functions of the message and the address it came from.
 */
import { type HasHeaders, getTopVia, replaceTopVia, type Via, withViaParams } from '../message/index.js';
import type { Destination, HostPort, InboundMessage, TransportProtocol } from './types.js';

/** Default ports by transport (RFC 3261 §19.1.2). */
export function defaultPort(transport: TransportProtocol | string): number {
  return transport === 'TLS' || transport === 'WSS' ? 5061 : 5060;
}

/** `::ffff:1.2.3.4` → `1.2.3.4`; IPv6 without brackets; otherwise as given. */
export function normalizeAddress(address: string): string {
  if (address.startsWith('::ffff:') && address.includes('.')) return address.slice(7);
  if (address.startsWith('[') && address.endsWith(']')) return address.slice(1, -1);
  return address;
}

/** Host as written in a Via or URI, comparable with a socket address. */
function hostKey(host: string): string {
  return normalizeAddress(host).toLowerCase();
}

/** `host:port`, with brackets around an IPv6 host. */
export function formatHostPort(hp: HostPort): string {
  const host = hp.host.includes(':') && !hp.host.startsWith('[') ? `[${hp.host}]` : hp.host;
  return `${host}:${hp.port}`;
}

/**
 * Stamp the top Via of a received request: `received` when the sent-by host is not the
 * packet's source address (RFC 3261 §18.2.1), and when the Via asks for `rport`, its
 * value (the source port) plus `received` in every case (RFC 3581 §4). Returns the Via
 * now on top, `undefined` when the message has no parsable Via (nothing is changed then).
 */
export function stampReceived(message: HasHeaders, source: HostPort): Via | undefined {
  const via = getTopVia(message);
  if (via === undefined) return undefined;
  const address = normalizeAddress(source.host);
  const set: Record<string, string | number> = {};
  if (via.rport === null) {
    set['rport'] = source.port;
    set['received'] = address;
  } else if (hostKey(via.host) !== address.toLowerCase()) {
    set['received'] = address;
  }
  if (Object.keys(set).length === 0) return via;
  const stamped = withViaParams(via, set);
  replaceTopVia(message, stamped);
  return stamped;
}

/**
 * Where the response to a request goes, from its (stamped) top Via and the flow it came
 * on:
 * - reliable transport: back on the same connection (`flowId`); should it be gone, to
 *   `received` (or the sent-by host) at the sent-by port;
 * - unreliable: `received` at `rport` when the Via has one (RFC 3581), otherwise
 *   `received` (or the sent-by host) at the sent-by port (default 5060).
 * Without a usable Via, back to the packet's source.
 */
export function responseTarget(message: HasHeaders, inbound: Pick<InboundMessage, 'source' | 'flow'>): Destination {
  const transport = inbound.flow.transport;
  const via = getTopVia(message);
  if (via === undefined) {
    return { host: inbound.source.host, port: inbound.source.port, transport, flowId: inbound.flow.id };
  }
  const host = normalizeAddress(via.received ?? via.host);
  const sentByPort = via.port ?? defaultPort(via.transport);
  if (transport !== 'UDP') return { host, port: sentByPort, transport, flowId: inbound.flow.id };
  if (typeof via.rport === 'number') return { host, port: via.rport, transport, flowId: inbound.flow.id };
  return { host, port: sentByPort, transport, flowId: inbound.flow.id };
}

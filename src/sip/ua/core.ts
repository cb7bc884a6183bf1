/**
 * What the UA core's parts share: the `UserAgent` gives each session and pending INVITE
 * a `UaContext` (its transaction layer, clock, timers, identity and dialog table), and
 * each of them that owns a dialog answers to the `UserAgent`'s dispatch as a
 * `DialogOwner`. Internal to `src/sip/ua/`.
 */
import type { Clock } from '../clock.js';
import type { SipRequest, SipResponse } from '../message/index.js';
import type { ServerTransaction, TransactionLayer } from '../transaction/layer.js';
import type { SipTimers } from '../transaction/timers.js';
import type { InboundMessage, SipLogger, TransportProtocol } from '../transport/types.js';
import type { InviteSession } from './session.js';

/** Something the dispatch hands in-dialog traffic to: a session, or an INVITE in its early dialog. */
export interface DialogOwner {
  /** A request with a To tag that matched this dialog (never ACK or CANCEL). */
  handleRequest(request: SipRequest, transaction: ServerTransaction, inbound: InboundMessage): void;
  /** An ACK for a 2xx this dialog sent. */
  handleAck(ack: SipRequest): void;
  /** A response no client transaction matched (a 2xx retransmitted after Timer M). */
  handleResponse(response: SipResponse): void;
  /** The UA closes: end without sending anything. */
  shutdown(): void;
}

/** The UA core as its parts see it. */
export interface UaContext {
  readonly transactions: TransactionLayer;
  readonly clock: Clock;
  readonly timers: SipTimers;
  readonly logger: SipLogger;
  /** In [0, 1): the glare back-off draws from it. */
  readonly random: () => number;
  /** How many 491 responses in a row a re-INVITE takes before it gives up. */
  readonly maxGlareRetries: number;
  /** Our Contact header value for requests and responses over `transport`. */
  contact(transport: TransportProtocol): string;
  /** Allow, Supported, User-Agent: for dialog-creating and target-refresh requests. */
  requestHeaders(): [string, string][];
  /** Allow, Supported, Server: for 2xx to INVITE and OPTIONS. */
  responseHeaders(): [string, string][];
  register(key: string, owner: DialogOwner): void;
  unregister(key: string, owner: DialogOwner): void;
  /** A session came up (either side). */
  established(session: InviteSession): void;
}

/** A body as text; `undefined` when empty. */
export function bodyText(body: Uint8Array): string | undefined {
  return body.byteLength === 0 ? undefined : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
}

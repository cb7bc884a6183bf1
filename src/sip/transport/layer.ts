/**
 * The transport layer: the set of transports a stack runs (one per protocol), one place
 * to send through (the destination's `transport` picks the transport), and one upward
 * callback for everything received. The transaction layer registers itself as that
 * callback; this layer never names it.
 */
import type { SipMessage } from '../message/index.js';
import { TransportError } from './errors.js';
import {
  type Destination,
  type HostPort,
  type InboundHandler,
  type SipLogger,
  type Transport,
  type TransportProtocol,
  silentLogger,
} from './types.js';

/** What the transaction layer needs from below. */
export interface SipTransportLayer {
  /** Protocols available, in preference order. */
  readonly protocols: readonly TransportProtocol[];
  send(data: SipMessage | Uint8Array, destination: Destination): Promise<void>;
  onMessage(handler: InboundHandler): void;
  /** True when `protocol` is reliable (no retransmissions, zero wait timers). */
  isReliable(protocol: TransportProtocol): boolean;
  /** The host and port to write in a Via `sent-by` for requests sent over `protocol`. */
  sentBy(protocol: TransportProtocol): HostPort;
}

export interface TransportLayerOptions {
  /**
   * Host to advertise in Via instead of the listening address (set it when listening on
   * 0.0.0.0 or behind a NAT with a known public address).
   */
  readonly advertisedHost?: string;
  readonly logger?: SipLogger;
}

export class TransportLayer implements SipTransportLayer {
  readonly #transports = new Map<TransportProtocol, Transport>();
  readonly #advertisedHost: string | undefined;
  readonly #logger: SipLogger;
  #handler: InboundHandler | undefined;
  #closed = false;

  constructor(transports: readonly Transport[], options: TransportLayerOptions = {}) {
    this.#advertisedHost = options.advertisedHost;
    this.#logger = options.logger ?? silentLogger;
    for (const t of transports) {
      if (this.#transports.has(t.protocol)) throw new Error(`two ${t.protocol} transports given`);
      this.#transports.set(t.protocol, t);
      t.onMessage((inbound) => {
        const handler = this.#handler;
        if (handler === undefined) {
          this.#logger.debug({ flow: inbound.flow.id }, 'SIP message dropped: nothing registered above the transport layer');
          return;
        }
        handler(inbound);
      });
    }
  }

  get protocols(): readonly TransportProtocol[] {
    return [...this.#transports.keys()];
  }

  transport(protocol: TransportProtocol): Transport | undefined {
    return this.#transports.get(protocol);
  }

  onMessage(handler: InboundHandler): void {
    this.#handler = handler;
  }

  send(data: SipMessage | Uint8Array, destination: Destination): Promise<void> {
    if (this.#closed) return Promise.reject(new TransportError('closed', 'transport layer is closed'));
    const t = this.#transports.get(destination.transport);
    if (t === undefined) {
      return Promise.reject(new TransportError('no-transport', `no ${destination.transport} transport configured`));
    }
    return t.send(data, destination);
  }

  isReliable(protocol: TransportProtocol): boolean {
    return this.#transports.get(protocol)?.reliable ?? protocol !== 'UDP';
  }

  sentBy(protocol: TransportProtocol): HostPort {
    const t = this.#transports.get(protocol);
    if (t === undefined) throw new TransportError('no-transport', `no ${protocol} transport configured`);
    const host = this.#advertisedHost ?? t.local.host;
    return { host, port: t.local.port };
  }

  /** Close every transport. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#transports.values()].map((t) => t.close()));
  }
}

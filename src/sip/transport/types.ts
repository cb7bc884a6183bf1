/**
 * What a SIP transport is to the layers above it: something that sends a message to a
 * destination and hands every message it receives up through one callback, together with
 * where it came from and the flow it came on (so a response can go back on the same TCP
 * connection, RFC 3261 §18.2.2).
 */
import type { Logger } from 'pino';
import type { SipMessage } from '../message/index.js';

/** Transport protocols as written in a Via (`SIP/2.0/UDP`). */
export type TransportProtocol = 'UDP' | 'TCP';

/** The transports a stack can be built with, in preference order for `TransportLayer`. */
export const TRANSPORT_PROTOCOLS: readonly TransportProtocol[] = ['UDP', 'TCP'];

export function isTransportProtocol(s: string): s is TransportProtocol {
  return s === 'UDP' || s === 'TCP';
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Where to send: an address and the transport to use. */
export interface Destination extends HostPort {
  readonly transport: TransportProtocol;
  /**
   * Send on this flow (a TCP connection, by `Flow.id`) when it is still open; the address
   * is used when it is not (for a response: RFC 3261 §18.2.2).
   */
  readonly flowId?: string;
}

/**
 * One path between us and a peer: for TCP the connection, for UDP the local socket and
 * the remote address.
 */
export interface Flow {
  /** Stable for the life of the flow; unique within a transport. */
  readonly id: string;
  readonly transport: TransportProtocol;
  readonly local: HostPort;
  readonly remote: HostPort;
}

/** A message as it arrived. */
export interface InboundMessage {
  readonly message: SipMessage;
  /** The address the bytes came from (the packet's source, not what the Via says). */
  readonly source: HostPort;
  readonly flow: Flow;
}

export type InboundHandler = (inbound: InboundMessage) => void;

export interface Transport {
  readonly protocol: TransportProtocol;
  /** TCP: true (no retransmissions, timers D/I/J/K zero). UDP: false. */
  readonly reliable: boolean;
  /** The address the transport listens on (the port chosen by the OS when 0 was asked). */
  readonly local: HostPort;
  /**
   * Send a message (serialized here) or bytes as they are. Resolves once the bytes are
   * handed to the socket; rejects with a `TransportError`.
   */
  send(data: SipMessage | Uint8Array, destination: Destination): Promise<void>;
  /** Register the one handler of received messages (replacing any earlier one). */
  onMessage(handler: InboundHandler): void;
  /** Stop listening and close every socket and connection. */
  close(): Promise<void>;
}

/** The log methods the transports use; a pino `Logger` fits. */
export type SipLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** A logger that drops everything. */
export const silentLogger: SipLogger = Object.freeze({
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
});

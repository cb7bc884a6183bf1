import type { SipMessage } from '../message/index.js';
import type { Destination, HostPort, InboundHandler, Transport, TransportProtocol } from './types.js';

/** Told of every SIP message a transport carries: what `dialtone call` prints, what a capture tool logs. */
export type SipTrace = (direction: 'sent' | 'received', message: SipMessage, peer: HostPort) => void;

/**
 * A transport that reports every message it carries, then does what the one it wraps
 * does. The transport layer takes one upward handler per transport and keeps it private,
 * so the trace sits under it rather than beside it.
 */
export class TracedTransport implements Transport {
  readonly #inner: Transport;
  readonly #trace: SipTrace;

  constructor(inner: Transport, trace: SipTrace) {
    this.#inner = inner;
    this.#trace = trace;
  }

  get protocol(): TransportProtocol {
    return this.#inner.protocol;
  }

  get reliable(): boolean {
    return this.#inner.reliable;
  }

  get local(): HostPort {
    return this.#inner.local;
  }

  send(data: SipMessage | Uint8Array, destination: Destination): Promise<void> {
    if (!(data instanceof Uint8Array)) this.#trace('sent', data, destination);
    return this.#inner.send(data, destination);
  }

  onMessage(handler: InboundHandler): void {
    this.#inner.onMessage((inbound) => {
      this.#trace('received', inbound.message, inbound.source);
      handler(inbound);
    });
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/**
 * A transport that records what it is asked to send and delivers what a test hands it.
 * It observes only: every send succeeds, nothing is dropped or altered. Messages given
 * as bytes are parsed so tests can look at them.
 */
import { type SipMessage, parseMessage } from '../../src/sip/message/index.js';
import type { Clock } from '../../src/sip/clock.js';
import type {
  Destination,
  Flow,
  HostPort,
  InboundHandler,
  Transport,
  TransportProtocol,
} from '../../src/sip/transport/types.js';

export interface SentRecord {
  /** `clock.now()` when the send was asked for. */
  readonly at: number;
  readonly message: SipMessage;
  readonly destination: Destination;
}

export interface RecordingTransportOptions {
  readonly clock: Clock;
  readonly protocol?: TransportProtocol;
  readonly local?: HostPort;
}

export class RecordingTransport implements Transport {
  readonly protocol: TransportProtocol;
  readonly reliable: boolean;
  readonly local: HostPort;
  readonly sent: SentRecord[] = [];
  readonly #clock: Clock;
  #handler: InboundHandler | undefined;
  #closed = false;

  constructor(options: RecordingTransportOptions) {
    this.#clock = options.clock;
    this.protocol = options.protocol ?? 'UDP';
    this.reliable = this.protocol !== 'UDP';
    this.local = options.local ?? { host: '127.0.0.1', port: 5060 };
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(data: SipMessage | Uint8Array, destination: Destination): Promise<void> {
    let message: SipMessage;
    if (data instanceof Uint8Array) {
      const parsed = parseMessage(data);
      if (!parsed.ok) throw new Error(`RecordingTransport: sent bytes do not parse: ${parsed.error.message}`);
      message = parsed.message;
    } else {
      message = data;
    }
    this.sent.push({ at: this.#clock.now(), message, destination });
    return Promise.resolve();
  }

  /** A send function bound to one destination, for driving a transaction directly. */
  sendTo(destination: Destination): (message: SipMessage) => Promise<void> {
    return (message) => this.send(message, destination);
  }

  onMessage(handler: InboundHandler): void {
    this.#handler = handler;
  }

  /** Hand a message up as if it had arrived from `source`. */
  deliver(message: SipMessage, source: HostPort = { host: '127.0.0.2', port: 5062 }, flowId?: string): void {
    const flow: Flow = {
      id: flowId ?? `${this.protocol.toLowerCase()}:${source.host}:${source.port}`,
      transport: this.protocol,
      local: this.local,
      remote: source,
    };
    this.#handler?.({ message, source, flow });
  }

  /** What was sent, as `status` or `method` strings, for compact asserts. */
  summary(): string[] {
    return this.sent.map((r) => (r.message.kind === 'request' ? r.message.method : String(r.message.status)));
  }

  /** Send times of the records whose summary is `what`. */
  times(what: string): number[] {
    return this.sent
      .filter((r) => (r.message.kind === 'request' ? r.message.method : String(r.message.status)) === what)
      .map((r) => r.at);
  }

  clear(): void {
    this.sent.length = 0;
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }
}

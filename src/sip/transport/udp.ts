/**
 * SIP over UDP (RFC 3261 §18): one datagram socket, one message per datagram.
 *
 * On the way in: keep-alive CRLFs and STUN packets (RFC 5626 §3.5) are ignored; a
 * datagram that does not parse is answered 400 when enough of a request could be read
 * (`buildErrorResponse`), otherwise logged and dropped; a request that parses gets
 * `received` / `rport` on its top Via (RFC 3581 §4) and is checked by `validateRequest`
 * (refusals answered here, statelessly); a response is checked by `validateResponse`.
 * What passes goes up through the one `onMessage` handler. Nothing received can throw out
 * of the socket's callback.
 */
import dgram from 'node:dgram';
import { type SipMessage, parseMessage, serializeMessage } from '../message/index.js';
import { normalizeAddress, responseTarget } from './address.js';
import { TransportError } from './errors.js';
import { type InboundPolicy, type Screened, screenMessage, screenParseError } from './inbound.js';
import {
  type Destination,
  type Flow,
  type HostPort,
  type InboundHandler,
  type SipLogger,
  type Transport,
  silentLogger,
} from './types.js';

/** Largest UDP payload over IPv4. */
export const MAX_UDP_PAYLOAD = 65_507;

export interface UdpTransportOptions {
  readonly logger?: SipLogger;
  /** Checks applied to what arrives (see `inbound.ts`). */
  readonly policy?: InboundPolicy;
}

export interface UdpListenOptions extends UdpTransportOptions {
  /** Address to bind; default 127.0.0.1. */
  readonly host?: string;
  /** Port to bind; default 5060, 0 lets the OS choose. */
  readonly port?: number;
}

const STUN_MAGIC_COOKIE = 0x2112a442;

/** A datagram of CR and LF only: a keep-alive (RFC 5626 §3.5.1), or noise. */
export function isCrlfKeepAlive(buf: Uint8Array): boolean {
  for (const b of buf) if (b !== 0x0d && b !== 0x0a) return false;
  return true;
}

/** A STUN message (RFC 5389 §6): top two bits zero and the magic cookie at offset 4. */
export function isStun(buf: Uint8Array): boolean {
  if (buf.byteLength < 20 || (buf[0]! & 0xc0) !== 0) return false;
  return ((buf[4]! << 24) | (buf[5]! << 16) | (buf[6]! << 8) | buf[7]!) >>> 0 === STUN_MAGIC_COOKIE;
}

export class UdpTransport implements Transport {
  readonly protocol = 'UDP' as const;
  readonly reliable = false;
  readonly local: HostPort;
  readonly #socket: dgram.Socket;
  readonly #logger: SipLogger;
  readonly #policy: InboundPolicy | undefined;
  #handler: InboundHandler | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;

  /** Bind a new socket and listen on it. */
  static listen(options: UdpListenOptions = {}): Promise<UdpTransport> {
    const host = options.host ?? '127.0.0.1';
    const socket = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4' });
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        socket.close();
        reject(new TransportError('closed', `cannot bind UDP ${host}:${options.port ?? 5060}: ${err.message}`, { cause: err }));
      };
      socket.once('error', onError);
      socket.bind(options.port ?? 5060, host, () => {
        socket.off('error', onError);
        resolve(new UdpTransport(socket, options));
      });
    });
  }

  /** Use a socket that is already bound. */
  constructor(socket: dgram.Socket, options: UdpTransportOptions = {}) {
    this.#socket = socket;
    this.#logger = options.logger ?? silentLogger;
    this.#policy = options.policy;
    const address = socket.address();
    this.local = { host: address.address, port: address.port };
    socket.on('message', (buf, rinfo) => this.#receive(buf, { host: normalizeAddress(rinfo.address), port: rinfo.port }));
    socket.on('error', (err) => this.#logger.warn({ err, local: this.local }, 'UDP socket error'));
  }

  onMessage(handler: InboundHandler): void {
    this.#handler = handler;
  }

  send(data: SipMessage | Uint8Array, destination: Destination): Promise<void> {
    if (this.#closed) return Promise.reject(new TransportError('closed', 'UDP transport is closed'));
    const bytes = data instanceof Uint8Array ? data : serializeMessage(data);
    if (bytes.byteLength > MAX_UDP_PAYLOAD) {
      return Promise.reject(new TransportError('too-large', `${bytes.byteLength} bytes do not fit in a UDP datagram`));
    }
    return new Promise((resolve, reject) => {
      try {
        this.#socket.send(bytes, destination.port, destination.host, (err) => {
          if (err) reject(new TransportError('send-failed', `UDP send to ${destination.host}:${destination.port}: ${err.message}`, { cause: err }));
          else resolve();
        });
      } catch (err) {
        reject(new TransportError('send-failed', `UDP send to ${destination.host}:${destination.port} failed`, { cause: err }));
      }
    });
  }

  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closed = true;
    this.#closing = new Promise((resolve) => {
      try {
        this.#socket.close(() => resolve());
      } catch {
        resolve(); // already closed
      }
    });
    return this.#closing;
  }

  #receive(buf: Buffer, source: HostPort): void {
    if (this.#closed) return;
    if (isCrlfKeepAlive(buf) || isStun(buf)) return;
    const flow: Flow = { id: `udp:${source.host}:${source.port}`, transport: 'UDP', local: this.local, remote: source };
    let screened: Screened;
    try {
      const parsed = parseMessage(buf);
      screened = parsed.ok ? screenMessage(parsed.message, source, this.#policy) : screenParseError(parsed.error, source);
    } catch (err) {
      // The codec does not throw; should it ever, one datagram is lost, not the process.
      this.#logger.error({ err, source }, 'UDP datagram could not be handled');
      return;
    }
    switch (screened.action) {
      case 'drop':
        this.#logger.debug({ source, reason: screened.reason }, 'UDP datagram dropped');
        return;
      case 'reject': {
        this.#logger.debug({ source, reason: screened.reason }, 'UDP request refused');
        const target = responseTarget(screened.response, { source, flow });
        this.send(screened.response, target).catch((err: unknown) =>
          this.#logger.debug({ err, source }, 'could not send the refusal'),
        );
        return;
      }
      case 'deliver': {
        const handler = this.#handler;
        if (handler === undefined) return;
        try {
          handler({ message: screened.message, source, flow });
        } catch (err) {
          this.#logger.error({ err, source }, 'SIP message handler threw');
        }
      }
    }
  }
}

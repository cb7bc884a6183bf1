/**
 * SIP over TCP (RFC 3261 §18): a listening server plus outbound connections, each
 * connection a flow with its own `SipStreamFramer`.
 *
 * - Connections are reused: a send goes on the flow named by `destination.flowId` when
 *   it is still open (responses go back where the request came from, §18.2.2), else on
 *   any open connection to that remote address, else on a new connection.
 * - Keep-alives (RFC 5626 §3.5.1): a CRLFCRLF ping from the peer is answered with CRLF.
 * - A connection idle for `idleTimeoutMs` (no byte either way) is closed.
 * - A message the framer can frame but not parse is answered 400 when possible, and the
 *   connection goes on; when framing is lost (no or bad Content-Length, too large,
 *   garbage) a 400 is sent if possible and that connection alone is closed.
 * - Requests get `received` / `rport` and `validateRequest`, responses `validateResponse`,
 *   as on UDP (`inbound.ts`).
 */
import net from 'node:net';
import { type SipMessage, SipStreamFramer, serializeMessage } from '../message/index.js';
import { formatHostPort, normalizeAddress } from './address.js';
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

export interface TcpTransportOptions {
  readonly logger?: SipLogger;
  readonly policy?: InboundPolicy;
  /** Close a connection after this long without traffic; default 120 000 ms. */
  readonly idleTimeoutMs?: number;
  /** Give up opening a connection after this long; default 10 000 ms. */
  readonly connectTimeoutMs?: number;
  /** Largest message accepted on a connection (the framer's limit); default 65 536 bytes. */
  readonly maxMessageSize?: number;
  /** Opens outbound connections; default `net.connect`. */
  readonly connect?: (remote: HostPort) => net.Socket;
}

export interface TcpListenOptions extends TcpTransportOptions {
  /** Address to listen on; default 127.0.0.1. */
  readonly host?: string;
  /** Port; default 5060, 0 lets the OS choose. */
  readonly port?: number;
}

const CRLF = Buffer.from('\r\n');

function remoteKey(hp: HostPort): string {
  return formatHostPort({ host: normalizeAddress(hp.host).toLowerCase(), port: hp.port });
}

/** One TCP connection and what it carries. */
class Connection {
  readonly flow: Flow;
  readonly socket: net.Socket;
  readonly framer: SipStreamFramer;
  /** Settles once the connection is open (at once for accepted ones). */
  readonly ready: Promise<void>;
  closed = false;

  constructor(socket: net.Socket, flow: Flow, framer: SipStreamFramer, ready: Promise<void>) {
    this.socket = socket;
    this.flow = flow;
    this.framer = framer;
    this.ready = ready;
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed || this.socket.destroyed) {
        reject(new TransportError('closed', `connection ${this.flow.id} is closed`));
        return;
      }
      this.socket.write(bytes, (err) => {
        if (err) reject(new TransportError('send-failed', `write on ${this.flow.id}: ${err.message}`, { cause: err }));
        else resolve();
      });
    });
  }
}

export class TcpTransport implements Transport {
  readonly protocol = 'TCP' as const;
  readonly reliable = true;
  readonly local: HostPort;
  readonly #server: net.Server;
  readonly #logger: SipLogger;
  readonly #policy: InboundPolicy | undefined;
  readonly #idleTimeoutMs: number;
  readonly #connectTimeoutMs: number;
  readonly #maxMessageSize: number | undefined;
  readonly #connect: (remote: HostPort) => net.Socket;
  readonly #byId = new Map<string, Connection>();
  readonly #byRemote = new Map<string, Connection>();
  #handler: InboundHandler | undefined;
  #nextId = 1;
  #closed = false;
  #closing: Promise<void> | undefined;

  /** Create a server and listen. */
  static listen(options: TcpListenOptions = {}): Promise<TcpTransport> {
    const host = options.host ?? '127.0.0.1';
    const server = net.createServer();
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        reject(new TransportError('closed', `cannot listen on TCP ${host}:${options.port ?? 5060}: ${err.message}`, { cause: err }));
      };
      server.once('error', onError);
      server.listen(options.port ?? 5060, host, () => {
        server.off('error', onError);
        resolve(new TcpTransport(server, options));
      });
    });
  }

  /** Use a server that is already listening. */
  constructor(server: net.Server, options: TcpTransportOptions = {}) {
    this.#server = server;
    this.#logger = options.logger ?? silentLogger;
    this.#policy = options.policy;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 120_000;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.#maxMessageSize = options.maxMessageSize;
    this.#connect = options.connect ?? ((remote) => net.connect({ host: remote.host, port: remote.port }));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new TypeError('TCP server is not listening on an IP address');
    this.local = { host: address.address, port: address.port };
    server.on('connection', (socket) => this.#accept(socket));
    server.on('error', (err) => this.#logger.warn({ err, local: this.local }, 'TCP server error'));
  }

  /** Open connections (for tests and metrics). */
  get connectionCount(): number {
    return this.#byId.size;
  }

  onMessage(handler: InboundHandler): void {
    this.#handler = handler;
  }

  async send(data: SipMessage | Uint8Array, destination: Destination): Promise<void> {
    if (this.#closed) throw new TransportError('closed', 'TCP transport is closed');
    const bytes = data instanceof Uint8Array ? data : serializeMessage(data);
    let conn = destination.flowId === undefined ? undefined : this.#byId.get(destination.flowId);
    if (conn === undefined || conn.closed) conn = this.#byRemote.get(remoteKey(destination));
    if (conn === undefined || conn.closed) conn = this.#open(destination);
    await conn.ready;
    await conn.write(bytes);
  }

  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closed = true;
    this.#closing = new Promise((resolve) => {
      for (const conn of this.#byId.values()) conn.socket.destroy();
      this.#server.close(() => resolve());
    });
    return this.#closing;
  }

  // ───────────── connections ─────────────

  #accept(socket: net.Socket): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    const remote = { host: normalizeAddress(socket.remoteAddress ?? ''), port: socket.remotePort ?? 0 };
    this.#register(socket, remote, 'server', Promise.resolve());
  }

  #open(destination: HostPort): Connection {
    const socket = this.#connect({ host: destination.host, port: destination.port });
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy(new Error(`connect timeout after ${this.#connectTimeoutMs} ms`));
      }, this.#connectTimeoutMs);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        reject(new TransportError('connect-failed', `TCP connect to ${formatHostPort(destination)}: ${err.message}`, { cause: err }));
      };
      socket.once('error', fail);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        resolve();
      });
    });
    ready.catch(() => undefined);
    const conn = this.#register(socket, destination, 'client', ready);
    void ready.then(() => {
      // Index it under the address it actually reached too (a name may have been given).
      const actual = { host: normalizeAddress(socket.remoteAddress ?? destination.host), port: socket.remotePort ?? destination.port };
      if (!conn.closed && !this.#byRemote.has(remoteKey(actual))) this.#byRemote.set(remoteKey(actual), conn);
    }, () => undefined);
    return conn;
  }

  #register(socket: net.Socket, remote: HostPort, role: 'server' | 'client', ready: Promise<void>): Connection {
    const id = `tcp-${this.#nextId++}`;
    const flow: Flow = { id, transport: 'TCP', local: this.local, remote };
    const framer = new SipStreamFramer({
      role,
      ...(this.#maxMessageSize === undefined ? {} : { maxMessageSize: this.#maxMessageSize }),
    });
    const conn = new Connection(socket, flow, framer, ready);
    this.#byId.set(id, conn);
    const key = remoteKey(remote);
    if (!this.#byRemote.has(key)) this.#byRemote.set(key, conn);

    socket.setNoDelay(true);
    socket.setTimeout(this.#idleTimeoutMs);
    socket.on('timeout', () => {
      this.#logger.debug({ flow: id }, 'TCP connection idle: closing');
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => this.#receive(conn, chunk));
    socket.on('error', (err) => this.#logger.debug({ err, flow: id }, 'TCP connection error'));
    socket.on('close', () => this.#forget(conn));
    return conn;
  }

  #forget(conn: Connection): void {
    conn.closed = true;
    if (this.#byId.get(conn.flow.id) === conn) this.#byId.delete(conn.flow.id);
    for (const [key, c] of this.#byRemote) if (c === conn) this.#byRemote.delete(key);
  }

  // ───────────── inbound ─────────────

  #receive(conn: Connection, chunk: Buffer): void {
    if (this.#closed || conn.closed) return;
    const source = conn.flow.remote;
    for (const event of conn.framer.push(chunk)) {
      switch (event.type) {
        case 'ping':
          conn.write(CRLF).catch(() => undefined);
          break;
        case 'pong':
          break;
        case 'message':
          this.#act(conn, screenMessage(event.message, source, this.#policy));
          break;
        case 'error': {
          const screened = screenParseError(event.error, source);
          if (!event.fatal) {
            this.#act(conn, screened);
            break;
          }
          this.#logger.warn({ flow: conn.flow.id, reason: event.error.message }, 'TCP framing lost: closing the connection');
          if (screened.action === 'reject') {
            conn.write(serializeMessage(screened.response)).catch(() => undefined);
            conn.socket.end();
          } else {
            conn.socket.destroy();
          }
          conn.closed = true;
          return;
        }
      }
    }
  }

  #act(conn: Connection, screened: Screened): void {
    switch (screened.action) {
      case 'drop':
        this.#logger.debug({ flow: conn.flow.id, reason: screened.reason }, 'TCP message dropped');
        return;
      case 'reject':
        this.#logger.debug({ flow: conn.flow.id, reason: screened.reason }, 'TCP request refused');
        conn.write(serializeMessage(screened.response)).catch(() => undefined);
        return;
      case 'deliver': {
        const handler = this.#handler;
        if (handler === undefined) return;
        try {
          handler({ message: screened.message, source: conn.flow.remote, flow: conn.flow });
        } catch (err) {
          this.#logger.error({ err, flow: conn.flow.id }, 'SIP message handler threw');
        }
      }
    }
  }
}

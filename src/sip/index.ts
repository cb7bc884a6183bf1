/**
 * The SIP stack in one call: transports (UDP, TCP) → transport layer → transaction layer →
 * UA core, each registered as the one handler of the layer below. The composition root
 * (`src/cli/compose.ts`) creates it with the real clock and logger; tests with ports the
 * OS picks.
 */
import { type Clock, systemClock } from './clock.js';
import { TransactionLayer } from './transaction/layer.js';
import type { SipTimers } from './transaction/timers.js';
import { TcpTransport } from './transport/tcp.js';
import { TransportLayer } from './transport/layer.js';
import { type Destination, type SipLogger, type Transport, type TransportProtocol, silentLogger } from './transport/types.js';
import { UdpTransport } from './transport/udp.js';
import { TracedTransport, type SipTrace } from './transport/traced.js';
import { UserAgent, type UserAgentOptions } from './ua/user-agent.js';

export * from './ua/index.js';
export {
  Dialog,
  type DialogId,
  type DialogState,
  type DialogRole,
  type DialogRequestOptions,
  dialogKey,
  newTag,
  newCallId,
  routeRequest,
  uriDestination,
} from './dialog/index.js';

export interface SipStackOptions {
  /** Address to bind; default `127.0.0.1`. */
  readonly bindAddress?: string;
  /** UDP port; default 5060, 0 lets the OS choose, `false` runs no UDP. */
  readonly udpPort?: number | false;
  /** TCP port; default 5060, 0 lets the OS choose, `false` runs no TCP. */
  readonly tcpPort?: number | false;
  /** Host to put in Via and Contact instead of the bound address (set it when binding 0.0.0.0). */
  readonly advertisedHost?: string;
  readonly logger?: SipLogger;
  /** Default: the process clock. */
  readonly clock?: Clock;
  /** T1, T2, T4 for every layer; default 500 / 4000 / 5000 ms. */
  readonly timers?: Partial<SipTimers>;
  /** INVITE server transactions send 100 Trying after this many ms of silence (default 200; false: never). */
  readonly autoTrying?: number | false;
  /** Told of every message sent and received (wraps each transport). */
  readonly trace?: SipTrace;
  /** UA core options (Contact user, User-Agent header, option tags, glare retries). */
  readonly userAgent?: Omit<UserAgentOptions, 'transactions' | 'transport' | 'clock' | 'timers' | 'logger'>;
}

export interface SipStack {
  readonly transport: TransportLayer;
  readonly transactions: TransactionLayer;
  readonly ua: UserAgent;
  readonly udp: UdpTransport | undefined;
  readonly tcp: TcpTransport | undefined;
  /** Where this stack listens over `protocol` (the advertised host when one was given). */
  address(protocol: TransportProtocol): Destination;
  /** End every session silently, stop the transactions, close the sockets. */
  close(): Promise<void>;
}

/** Bind the transports and stack the layers. Rejects (closing what it opened) when a bind fails. */
export async function createSipStack(options: SipStackOptions = {}): Promise<SipStack> {
  const host = options.bindAddress ?? '127.0.0.1';
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const udpPort = options.udpPort ?? 5060;
  const tcpPort = options.tcpPort ?? 5060;
  if (udpPort === false && tcpPort === false) throw new TypeError('a SIP stack needs UDP or TCP');

  const udp = udpPort === false ? undefined : await UdpTransport.listen({ host, port: udpPort, logger });
  let tcp: TcpTransport | undefined;
  try {
    tcp = tcpPort === false ? undefined : await TcpTransport.listen({ host, port: tcpPort, logger });
  } catch (err) {
    await udp?.close();
    throw err;
  }
  const transports: Transport[] = [];
  if (udp !== undefined) transports.push(udp);
  if (tcp !== undefined) transports.push(tcp);
  const { trace } = options;
  const wrapped = trace === undefined ? transports : transports.map((t) => new TracedTransport(t, trace));
  const transport = new TransportLayer(wrapped, {
    logger,
    ...(options.advertisedHost === undefined ? {} : { advertisedHost: options.advertisedHost }),
  });
  const transactions = new TransactionLayer(transport, {
    clock,
    logger,
    ...(options.timers === undefined ? {} : { timers: options.timers }),
    ...(options.autoTrying === undefined ? {} : { autoTrying: options.autoTrying }),
  });
  const ua = new UserAgent({
    ...options.userAgent,
    transactions,
    transport,
    clock,
    logger,
    ...(options.timers === undefined ? {} : { timers: options.timers }),
  });
  let closing: Promise<void> | undefined;
  return {
    transport,
    transactions,
    ua,
    udp,
    tcp,
    address(protocol) {
      const t = protocol === 'UDP' ? udp : tcp;
      if (t === undefined) throw new TypeError(`no ${protocol} transport in this stack`);
      return { host: options.advertisedHost ?? t.local.host, port: t.local.port, transport: protocol };
    },
    close() {
      closing ??= (async () => {
        ua.close();
        transactions.close();
        await transport.close();
      })();
      return closing;
    },
  };
}
export { TracedTransport, type SipTrace } from './transport/traced.js';

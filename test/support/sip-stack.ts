/**
 * A real SIP stack on loopback for integration tests: transports bound to 127.0.0.1 on
 * ports the OS picks, a transport layer, a transaction layer on the process clock.
 */
import { UdpTransport } from '../../src/sip/transport/udp.js';
import { TcpTransport, type TcpTransportOptions } from '../../src/sip/transport/tcp.js';
import { TransportLayer } from '../../src/sip/transport/layer.js';
import { TransactionLayer, type TransactionLayerEvent } from '../../src/sip/transaction/layer.js';
import type { Destination, Transport, TransportProtocol } from '../../src/sip/transport/types.js';
import type { SipTimers } from '../../src/sip/transaction/timers.js';

export interface SipStack {
  readonly transport: TransportLayer;
  readonly layer: TransactionLayer;
  readonly udp: UdpTransport | undefined;
  readonly tcp: TcpTransport | undefined;
  readonly events: TransactionLayerEvent[];
  /** Where to reach this stack over `protocol`. */
  address(protocol: TransportProtocol): Destination;
  close(): Promise<void>;
}

export interface SipStackOptions {
  readonly protocols?: readonly TransportProtocol[];
  readonly timers?: Partial<SipTimers>;
  readonly tcp?: TcpTransportOptions;
  /** Handle events (they are recorded in `events` either way). */
  readonly onEvent?: (event: TransactionLayerEvent) => void;
}

export async function startSipStack(options: SipStackOptions = {}): Promise<SipStack> {
  const protocols = options.protocols ?? ['UDP', 'TCP'];
  const udp = protocols.includes('UDP') ? await UdpTransport.listen({ host: '127.0.0.1', port: 0 }) : undefined;
  const tcp = protocols.includes('TCP')
    ? await TcpTransport.listen({ host: '127.0.0.1', port: 0, ...options.tcp })
    : undefined;
  const transports: Transport[] = [];
  if (udp) transports.push(udp);
  if (tcp) transports.push(tcp);
  const transport = new TransportLayer(transports);
  const layer = new TransactionLayer(transport, options.timers === undefined ? {} : { timers: options.timers });
  const events: TransactionLayerEvent[] = [];
  layer.onEvent((e) => {
    events.push(e);
    options.onEvent?.(e);
  });
  return {
    transport,
    layer,
    udp,
    tcp,
    events,
    address(protocol) {
      const t = protocol === 'UDP' ? udp : tcp;
      if (t === undefined) throw new Error(`no ${protocol} transport in this stack`);
      return { host: t.local.host, port: t.local.port, transport: protocol };
    },
    async close() {
      layer.close();
      await transport.close();
    },
  };
}

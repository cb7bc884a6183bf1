/** SIP transports: UDP, TCP, the transport layer over them, and address rules. */
export * from './types.js';
export * from './errors.js';
export * from './address.js';
export * from './inbound.js';
export { TransportLayer, type SipTransportLayer, type TransportLayerOptions } from './layer.js';
export { UdpTransport, type UdpTransportOptions, type UdpListenOptions, MAX_UDP_PAYLOAD, isCrlfKeepAlive, isStun } from './udp.js';
export { TcpTransport, type TcpTransportOptions, type TcpListenOptions } from './tcp.js';

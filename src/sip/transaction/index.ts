/** The SIP transaction layer (RFC 3261 §17, RFC 6026): four state machines, the layer that matches, helpers. */
export * from './errors.js';
export * from './timers.js';
export {
  type TransactionOptions,
  type ClientTransactionUser,
  type ServerTransactionUser,
  type ClientTransactionError,
  type ServerTransactionError,
} from './types.js';
export * from './invite-client.js';
export * from './non-invite-client.js';
export * from './invite-server.js';
export * from './non-invite-server.js';
export * from './derived-requests.js';
export * from './retransmit-2xx.js';
export * from './layer.js';

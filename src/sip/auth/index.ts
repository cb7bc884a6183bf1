/** Digest authentication (RFC 2617, RFC 7616, RFC 8760): server challenges and checks, client answers. */
export * from './nonce.js';
export * from './digest.js';

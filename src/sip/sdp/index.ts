/** SDP: our typed view of a session description, and RFC 3264 offer/answer for one audio stream. */
export * from './errors.js';
export * from './session.js';
export * from './negotiate.js';

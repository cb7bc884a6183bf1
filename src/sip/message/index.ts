/** The SIP message codec: parse, frame, inspect, validate, serialize. */
export * from './types.js';
export * from './header-names.js';
export * from './errors.js';
export * from './uri.js';
export * from './headers.js';
export { parseMessage, type ParseResult } from './parse.js';
export * from './stream-framer.js';
export * from './serialize.js';
export * from './validate.js';
export * from './reason-phrases.js';
export * from './sipfrag.js';
export * from './event-headers.js';
export { isToken, isCallId, quote, unquote, findParam, formatParams } from './grammar.js';

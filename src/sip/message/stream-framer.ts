/**
 * Frame SIP messages out of a byte stream (TCP, TLS; WebSocket when frames are fed in).
 *
 * `push(chunk)` returns what the bytes completed: messages, keep-alives, errors. A message
 * is framed by the empty line after its headers and its Content-Length, which a stream
 * message must carry (RFC 3261 §18.3). Bytes that do not yet make a whole message stay
 * buffered ("need more bytes" is simply an empty result); the buffer never holds more
 * than `maxMessageSize` bytes of one message.
 *
 * Errors come in two kinds:
 * - not fatal: the message was framed (its length is known) but is malformed, e.g. a bad
 *   request line. The framer skips it and goes on; answer with 400 when
 *   `error.responseStatus()` says so.
 * - fatal: framing is lost (Content-Length missing, malformed or repeated; message too
 *   large). Nothing after it can be trusted: answer 400 if possible, then close the
 *   connection. The framer ignores further input.
 *
 * Keep-alives (RFC 5626 §3.5.1) between messages depend on which end of the connection
 * the framer serves (`role`):
 * - `server` (a connection we accepted; the default): the peer pings with a double CRLF,
 *   reported as `ping` (answer with one CRLF), also when the two CRLFs arrive in separate
 *   chunks. A lone CRLF before a message is skipped silently (RFC 3261 §7.5).
 * - `client` (a connection we opened): the peer answers our pings with a single CRLF;
 *   every CRLF is reported as `pong`.
 */
import { SipParseError } from './errors.js';
import { type ParsedHead, buildMessage, findHeadEnd, parseHead } from './parse.js';
import type { SipMessage } from './types.js';

export type FramerEvent =
  | { readonly type: 'message'; readonly message: SipMessage }
  /** CRLFCRLF keep-alive (role `server`): answer with a single CRLF. */
  | { readonly type: 'ping' }
  /** CRLF (role `client`): the answer to a ping we sent. */
  | { readonly type: 'pong' }
  | { readonly type: 'error'; readonly error: SipParseError; readonly fatal: boolean };

export interface SipStreamFramerOptions {
  /** Largest message (headers + body) accepted; default 65536 bytes. */
  readonly maxMessageSize?: number;
  /** Which end of the connection we are, for keep-alives; default `server`. */
  readonly role?: 'server' | 'client';
}

export const DEFAULT_MAX_MESSAGE_SIZE = 65536;

interface Pending {
  readonly head: ParsedHead;
  /** Offsets relative to the start of the message. */
  readonly bodyOffset: number;
  readonly total: number;
}

const PING: FramerEvent = Object.freeze({ type: 'ping' });
const PONG: FramerEvent = Object.freeze({ type: 'pong' });

export class SipStreamFramer {
  readonly maxMessageSize: number;
  readonly role: 'server' | 'client';
  #buf: Buffer;
  #start = 0;
  #end = 0;
  /** Where to resume looking for the end of the header section (absolute index). */
  #scan = 0;
  #pending: Pending | undefined;
  #closed = false;
  /** Role `server`: half a ping (one CRLF) seen; one more CRLF makes a ping. */
  #loneCrlf = false;

  constructor(options: SipStreamFramerOptions = {}) {
    const max = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.maxMessageSize = Number.isFinite(max) && max > 0 ? Math.floor(max) : DEFAULT_MAX_MESSAGE_SIZE;
    this.role = options.role ?? 'server';
    this.#buf = Buffer.allocUnsafe(Math.min(4096, this.maxMessageSize + 4));
  }

  /** Bytes held for a message not yet complete. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /** True after a fatal error; the connection should be closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Feed bytes; returns the events they complete, in order. Never throws. */
  push(chunk: Uint8Array): FramerEvent[] {
    const events: FramerEvent[] = [];
    if (this.#closed || chunk.byteLength === 0) return events;
    this.#append(chunk);
    const buf = this.#buf;
    const max = this.maxMessageSize;
    for (;;) {
      if (this.#pending === undefined) {
        if (!this.#skipKeepAlives(events)) break;
        const start = this.#start;
        const end = this.#end;
        const bodyStart = findHeadEnd(buf, Math.max(this.#scan, start), end);
        if (bodyStart < 0) {
          if (end - start > max) return this.#fatal(events, new SipParseError('too-large', `header section exceeds ${max} bytes`));
          this.#scan = Math.max(start, end - 3);
          break;
        }
        if (bodyStart - start > max) {
          return this.#fatal(events, new SipParseError('too-large', `header section exceeds ${max} bytes`));
        }
        const headEnd = buf[bodyStart - 2] === 0x0d ? bodyStart - 2 : bodyStart - 1;
        const head = parseHead(buf.toString('utf8', start, headEnd));
        if (head.contentLengthError !== undefined) return this.#fatal(events, head.contentLengthError);
        if (head.contentLength === undefined) {
          return this.#fatal(
            events,
            new SipParseError('content-length-required', 'stream message without Content-Length', head.partial),
          );
        }
        const total = bodyStart - start + head.contentLength;
        if (total > max) {
          return this.#fatal(events, new SipParseError('too-large', `message of ${total} bytes exceeds ${max}`, head.partial));
        }
        this.#pending = { head, bodyOffset: bodyStart - start, total };
      }
      const p = this.#pending;
      const start = this.#start;
      if (this.#end - start < p.total) break;
      this.#pending = undefined;
      this.#start = start + p.total;
      this.#scan = this.#start;
      if (p.head.error !== undefined) {
        events.push({ type: 'error', error: p.head.error, fatal: false });
        continue;
      }
      // Copy: the internal buffer is reused.
      const body =
        p.total > p.bodyOffset ? Buffer.from(buf.subarray(start + p.bodyOffset, start + p.total)) : new Uint8Array(0);
      events.push({ type: 'message', message: buildMessage(p.head, body) });
    }
    if (this.#start === this.#end) {
      this.#start = 0;
      this.#end = 0;
      this.#scan = 0;
    }
    return events;
  }

  /**
   * Consume CR/LF bytes at a message boundary and report keep-alives. Returns false when
   * the buffer is exhausted (or ends in a lone CR that needs the next byte).
   */
  #skipKeepAlives(events: FramerEvent[]): boolean {
    const buf = this.#buf;
    let i = this.#start;
    const end = this.#end;
    let lineEnds = 0;
    let more = true;
    while (i < end) {
      const c = buf[i];
      if (c === 0x0d) {
        if (i + 1 >= end) {
          more = false;
          break;
        }
        if (buf[i + 1] !== 0x0a) break; // a stray CR: leave it to the start-line parser
        i += 2;
        lineEnds++;
      } else if (c === 0x0a) {
        i++;
        lineEnds++;
      } else {
        break;
      }
    }
    if (i >= end) more = false;
    this.#start = i;
    if (lineEnds > 0) {
      if (this.role === 'client') {
        for (let k = 0; k < lineEnds; k++) events.push(PONG);
      } else {
        let total = lineEnds + (this.#loneCrlf ? 1 : 0);
        for (; total >= 2; total -= 2) events.push(PING);
        this.#loneCrlf = total === 1;
      }
    }
    if (more) this.#loneCrlf = false; // a message starts here: a lone CRLF before it is noise
    if (this.#scan < i) this.#scan = i;
    return more;
  }

  #fatal(events: FramerEvent[], error: SipParseError): FramerEvent[] {
    this.#closed = true;
    this.#pending = undefined;
    this.#start = this.#end = this.#scan = 0;
    this.#buf = Buffer.alloc(0);
    events.push({ type: 'error', error, fatal: true });
    return events;
  }

  #append(chunk: Uint8Array): void {
    const live = this.#end - this.#start;
    if (this.#end + chunk.byteLength > this.#buf.length) {
      const needed = live + chunk.byteLength;
      if (needed <= this.#buf.length) {
        this.#buf.copy(this.#buf, 0, this.#start, this.#end);
      } else {
        const next = Buffer.allocUnsafe(Math.max(needed, this.#buf.length * 2));
        this.#buf.copy(next, 0, this.#start, this.#end);
        this.#buf = next;
      }
      this.#scan = Math.max(0, this.#scan - this.#start);
      this.#start = 0;
      this.#end = live;
    }
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.byteLength;
  }
}

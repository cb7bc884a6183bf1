/**
 * SIP message types: requests and responses (discriminated by `kind`), and the ordered,
 * multi-valued header list they carry.
 *
 * Header values are kept as the text that arrived (folded lines joined by one space,
 * surrounding whitespace trimmed); typed views (Via, CSeq, From…) are parsed on demand by
 * the accessors in `headers.ts` and cached on the header list until it changes.
 */
import { headerKey, resolveHeaderName } from './header-names.js';

/** Methods defined by RFC 3261 and the extensions Dialtone speaks. */
export const SIP_METHODS = [
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'REGISTER',
  'PRACK',
  'SUBSCRIBE',
  'NOTIFY',
  'PUBLISH',
  'INFO',
  'REFER',
  'MESSAGE',
  'UPDATE',
] as const;

export type KnownSipMethod = (typeof SIP_METHODS)[number];

/** A method name: one of the known ones, or any other token (methods are case-sensitive). */
export type SipMethod = KnownSipMethod | (string & {});

/**
 * A `;name[=value]` parameter, in URIs and in header values. `value` is `null` for a
 * parameter without `=`; otherwise the text as written (URI params keep their %-escapes,
 * header params keep the quotes of a quoted-string).
 */
export interface SipParam {
  readonly name: string;
  readonly value: string | null;
}

/** One header line: the name (canonical when known) and its value. */
export interface HeaderField {
  readonly name: string;
  readonly value: string;
}

/**
 * The header fields of a message, in the order they arrived.
 *
 * Each entry is one header line; a line may carry several comma-separated values (use
 * `values()` or the typed accessors to get them split). Names are matched
 * case-insensitively and compact forms are expanded on the way in, so `get('v')`,
 * `get('VIA')` and `get('Via')` are the same lookup.
 */
export class SipHeaders implements Iterable<HeaderField> {
  #names: string[] = [];
  #keys: string[] = [];
  #values: string[] = [];
  #memo: Map<string, unknown> | undefined;

  constructor(init?: Iterable<readonly [name: string, value: string]>) {
    if (init) for (const [name, value] of init) this.append(name, value);
  }

  /** Number of header lines. */
  get size(): number {
    return this.#names.length;
  }

  has(name: string): boolean {
    return this.#keys.includes(headerKey(name));
  }

  /** The value of the first line with this name. */
  get(name: string): string | undefined {
    const i = this.#keys.indexOf(headerKey(name));
    return i < 0 ? undefined : this.#values[i];
  }

  /** The value of every line with this name, in order. */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    const keys = this.#keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) out.push(this.#values[i] as string);
    return out;
  }

  /** How many lines carry this header. */
  count(name: string): number {
    const key = headerKey(name);
    let n = 0;
    for (const k of this.#keys) if (k === key) n++;
    return n;
  }

  /**
   * Every value of a list header (Via, Contact, Route, Allow…): each line split at the
   * commas that are outside quotes and angle brackets, lines merged in order.
   */
  values(name: string): string[] {
    const out: string[] = [];
    for (const line of this.getAll(name)) for (const part of splitHeaderList(line)) out.push(part);
    return out;
  }

  /** Add a line at the end. */
  append(name: string, value: string): this {
    const r = resolveHeaderName(name);
    this.#names.push(r.name);
    this.#keys.push(r.key);
    this.#values.push(value);
    this.#memo = undefined;
    return this;
  }

  /** Add a line before every other line of the same name (or at the end if there is none). */
  prepend(name: string, value: string): this {
    const r = resolveHeaderName(name);
    const i = this.#keys.indexOf(r.key);
    const at = i < 0 ? this.#keys.length : i;
    this.#names.splice(at, 0, r.name);
    this.#keys.splice(at, 0, r.key);
    this.#values.splice(at, 0, value);
    this.#memo = undefined;
    return this;
  }

  /** Replace every line of this name with one line, where the first one stood. */
  set(name: string, value: string): this {
    const r = resolveHeaderName(name);
    const first = this.#keys.indexOf(r.key);
    if (first < 0) return this.append(name, value);
    this.#removeKey(r.key, first + 1);
    this.#names[first] = r.name;
    this.#values[first] = value;
    this.#memo = undefined;
    return this;
  }

  /** Replace the value of the `index`-th line of this name (0-based). */
  setAt(name: string, index: number, value: string): boolean {
    const key = headerKey(name);
    let n = 0;
    for (let i = 0; i < this.#keys.length; i++) {
      if (this.#keys[i] !== key) continue;
      if (n++ === index) {
        this.#values[i] = value;
        this.#memo = undefined;
        return true;
      }
    }
    return false;
  }

  /** Remove every line of this name; true when one was there. */
  delete(name: string): boolean {
    const key = headerKey(name);
    const before = this.#keys.length;
    this.#removeKey(key, 0);
    if (this.#keys.length === before) return false;
    this.#memo = undefined;
    return true;
  }

  /** The lines in order. */
  *entries(): IterableIterator<HeaderField> {
    for (let i = 0; i < this.#names.length; i++) {
      yield { name: this.#names[i] as string, value: this.#values[i] as string };
    }
  }

  [Symbol.iterator](): IterableIterator<HeaderField> {
    return this.entries();
  }

  /** A copy that shares nothing with this list (the cache starts empty). */
  clone(): SipHeaders {
    const copy = new SipHeaders();
    copy.#names = this.#names.slice();
    copy.#keys = this.#keys.slice();
    copy.#values = this.#values.slice();
    return copy;
  }

  /**
   * Compute a derived value once and keep it until the list changes. The typed accessors
   * in `headers.ts` use this so that a Via or CSeq is parsed at most once per message.
   */
  memo<T>(key: string, compute: () => T): T {
    let memo = this.#memo;
    if (memo === undefined) memo = this.#memo = new Map();
    if (memo.has(key)) return memo.get(key) as T;
    const value = compute();
    memo.set(key, value);
    return value;
  }

  #removeKey(key: string, from: number): void {
    let w = from;
    for (let r = from; r < this.#keys.length; r++) {
      if (this.#keys[r] === key) continue;
      this.#names[w] = this.#names[r] as string;
      this.#keys[w] = this.#keys[r] as string;
      this.#values[w] = this.#values[r] as string;
      w++;
    }
    this.#names.length = w;
    this.#keys.length = w;
    this.#values.length = w;
  }
}

/** Anything that carries a header list: a message, or what a failed parse salvaged. */
export interface HasHeaders {
  readonly headers: SipHeaders;
}

/** A SIP request. */
export interface SipRequest {
  readonly kind: 'request';
  readonly method: SipMethod;
  /** The Request-URI as it appeared on the start line; `parseUri()` reads it. */
  readonly uri: string;
  /** `SIP/2.0` for every message `validateRequest` accepts. */
  readonly version: string;
  readonly headers: SipHeaders;
  /**
   * The body. From `parseMessage` it is a view of the input buffer (no copy); from the
   * stream framer it is a fresh copy.
   */
  readonly body: Uint8Array;
}

/** A SIP response. */
export interface SipResponse {
  readonly kind: 'response';
  readonly status: number;
  readonly reason: string;
  readonly version: string;
  readonly headers: SipHeaders;
  readonly body: Uint8Array;
}

export type SipMessage = SipRequest | SipResponse;

/**
 * Split a header value at the commas that separate list elements: commas inside a
 * quoted-string (honouring `\` escapes) or between `<` and `>` do not split. Each element
 * is trimmed of spaces and tabs; empty elements are kept (a typed parser rejects them).
 * Linear in the length of the value.
 */
export function splitHeaderList(value: string): string[] {
  const out: string[] = [];
  let start = 0;
  let inQuotes = false;
  let inAngle = false;
  const n = value.length;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (inQuotes) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22) inQuotes = false;
    } else if (c === 0x22) {
      inQuotes = true;
    } else if (inAngle) {
      if (c === 0x3e /* > */) inAngle = false;
    } else if (c === 0x3c /* < */) {
      inAngle = true;
    } else if (c === 0x2c /* , */) {
      out.push(trimWs(value.slice(start, i)));
      start = i + 1;
    }
  }
  out.push(trimWs(value.slice(start)));
  return out;
}

/** Trim spaces and tabs only (String.prototype.trim would also eat U+FEFF and NBSP). */
export function trimWs(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b) {
    const c = s.charCodeAt(a);
    if (c !== 0x20 && c !== 0x09) break;
    a++;
  }
  while (b > a) {
    const c = s.charCodeAt(b - 1);
    if (c !== 0x20 && c !== 0x09) break;
    b--;
  }
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/**
 * Character classes and small scanners from the RFC 3261 §25 grammar, shared by the URI,
 * header and start-line parsers. Every scanner is a single forward pass over the string
 * (no regular expressions, so no backtracking), and none throws: a malformed input gives
 * `undefined`.
 *
 * The strings scanned here are header values after unfolding, so linear white space is
 * plain SP / HTAB.
 */
import type { SipParam } from './types.js';

function table(chars: string, alnum: boolean): Uint8Array {
  const t = new Uint8Array(128);
  if (alnum) {
    for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
    for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
    for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  }
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
const TOKEN = table("-.!%*_+`'~", true);
/** word (Call-ID) = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" / "(" / ")" / "<" / ">" / ":" / "\" / DQUOTE / "/" / "[" / "]" / "?" / "{" / "}") */
const WORD = table('-.!%*_+`\'~()<>:\\"/[]?{}', true);
/** user = 1*( unreserved / escaped / user-unreserved ); user-unreserved = "&" / "=" / "+" / "$" / "," / ";" / "?" / "/" */
export const USER_CHARS = table("-_.!~*'()&=+$,;?/", true);
/** password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," ) */
export const PASSWORD_CHARS = table("-_.!~*'()&=+$,", true);
/** paramchar = param-unreserved / unreserved / escaped; param-unreserved = "[" / "]" / "/" / ":" / "&" / "+" / "$" */
export const PARAM_CHARS = table("-_.!~*'()[]/:&+$", true);
/** hname / hvalue = *( hnv-unreserved / unreserved / escaped ); hnv-unreserved = "[" / "]" / "/" / "?" / ":" / "+" / "$" */
export const HNV_CHARS = table("-_.!~*'()[]/?:+$", true);
/** hostname characters (alphanum, "-", "."); "_" is accepted too, as deployed hosts use it. */
export const HOST_CHARS = table('-._', true);
/** Characters of a generic-param value that is not a quoted-string: token / host (incl. IPv6 reference). */
const GEN_VALUE = table("-.!%*_+`'~:[]", true);

export function isTokenChar(c: number): boolean {
  return c < 128 && TOKEN[c] === 1;
}

/** True when `s` is a non-empty token. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

/** callid = word [ "@" word ] */
export function isCallId(s: string): boolean {
  const at = s.indexOf('@');
  return at < 0 ? isWord(s, 0, s.length) : isWord(s, 0, at) && isWord(s, at + 1, s.length);
}

function isWord(s: string, from: number, to: number): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || WORD[c] !== 1) return false;
  }
  return true;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/**
 * True when every character of `s[from, to)` is in `chars` or is a well-formed `%HH`
 * escape. `allowEmpty` decides whether an empty range passes.
 */
export function isEscapedRun(s: string, from: number, to: number, chars: Uint8Array, allowEmpty: boolean): boolean {
  if (to <= from) return allowEmpty;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 /* % */) {
      if (i + 2 >= to) return false;
      if (!isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) return false;
      i += 2;
    } else if (c >= 128 || chars[c] !== 1) {
      return false;
    }
  }
  return true;
}

/** Index of the first character at or after `i` that is not SP / HTAB. */
export function skipWs(s: string, i: number): number {
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09) break;
    i++;
  }
  return i;
}

/** Index just past the token starting at `i` (equal to `i` when there is none). */
export function scanToken(s: string, i: number): number {
  const n = s.length;
  while (i < n && isTokenChar(s.charCodeAt(i))) i++;
  return i;
}

/**
 * Scan a quoted-string whose opening DQUOTE is at `i`. Returns the index just past the
 * closing DQUOTE, or -1 when it is unterminated or holds a CR/LF (quoted-pair excludes
 * them).
 */
export function scanQuoted(s: string, i: number): number {
  const n = s.length;
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c === 0x5c /* \ */) {
      const d = s.charCodeAt(j + 1);
      if (j + 1 >= n || d === 0x0a || d === 0x0d) return -1;
      j++;
    } else if (c === 0x22) {
      return j + 1;
    } else if (c === 0x0a || c === 0x0d) {
      return -1;
    }
  }
  return -1;
}

/** The text of a quoted-string (quotes removed, quoted-pairs resolved). */
export function unquote(quoted: string): string {
  if (quoted.length < 2 || quoted.charCodeAt(0) !== 0x22) return quoted;
  const inner = quoted.slice(1, quoted.charCodeAt(quoted.length - 1) === 0x22 ? -1 : undefined);
  if (!inner.includes('\\')) return inner;
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '\\' && i + 1 < inner.length) {
      out += inner[i + 1];
      i++;
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * Quote a string for a quoted-string: `"` and `\` and the control characters that qdtext
 * does not allow become quoted-pairs; CR and LF (which quoted-pair cannot carry) become SP.
 */
export function quote(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0d || c === 0x0a) out += ' ';
    else if (c === 0x22 || c === 0x5c || (c < 0x20 && c !== 0x09) || c === 0x7f) out += '\\' + text[i];
    else out += text[i];
  }
  return out + '"';
}

/**
 * Parse `*( SEMI generic-param )` from `s[i]` to the end of `s`, where
 * `generic-param = token [ EQUAL gen-value ]` and `gen-value = token / host / quoted-string`,
 * with optional white space around `;` and `=`. Quoted values keep their quotes.
 * Returns `undefined` on anything else (an empty parameter such as `;;`, a missing value
 * after `=`, stray characters).
 */
export function parseGenericParams(s: string, i: number): SipParam[] | undefined {
  const params: SipParam[] = [];
  const n = s.length;
  for (;;) {
    i = skipWs(s, i);
    if (i >= n) return params;
    if (s.charCodeAt(i) !== 0x3b /* ; */) return undefined;
    i = skipWs(s, i + 1);
    const nameEnd = scanToken(s, i);
    if (nameEnd === i) return undefined;
    const name = s.slice(i, nameEnd);
    i = skipWs(s, nameEnd);
    if (i < n && s.charCodeAt(i) === 0x3d /* = */) {
      i = skipWs(s, i + 1);
      if (i < n && s.charCodeAt(i) === 0x22) {
        const end = scanQuoted(s, i);
        if (end < 0) return undefined;
        params.push({ name, value: s.slice(i, end) });
        i = end;
      } else {
        let end = i;
        while (end < n) {
          const c = s.charCodeAt(end);
          if (c >= 128 || GEN_VALUE[c] !== 1) break;
          end++;
        }
        if (end === i) return undefined;
        params.push({ name, value: s.slice(i, end) });
        i = end;
      }
    } else {
      params.push({ name, value: null });
    }
  }
}

/** Format parameters as `;name=value…`. */
export function formatParams(params: readonly SipParam[]): string {
  let out = '';
  for (const p of params) out += p.value === null ? `;${p.name}` : `;${p.name}=${p.value}`;
  return out;
}

/**
 * The value of the first parameter with this name (case-insensitive): `undefined` when
 * absent, `null` when present without a value.
 */
export function findParam(params: readonly SipParam[], name: string): string | null | undefined {
  const lower = name.toLowerCase();
  for (const p of params) if (p.name.length === lower.length && p.name.toLowerCase() === lower) return p.value;
  return undefined;
}

/** Parse 1*DIGIT as a non-negative integer no larger than `max`; `undefined` otherwise. */
export function parseDigits(s: string, max: number): number | undefined {
  const n = s.length;
  if (n === 0) return undefined;
  let value = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
    value = value * 10 + (c - 0x30);
    if (value > max) return undefined;
  }
  return value;
}

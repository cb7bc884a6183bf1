/**
 * HTTP Digest authentication as SIP uses it (RFC 3261 §22.4, RFC 2617, RFC 7616 SHA-256,
 * RFC 8760), both ways:
 *
 * - as a server (the registrar and the INVITE check for an account's SIP clients):
 *   `createChallenge` writes a `WWW-Authenticate` / `Proxy-Authenticate` value with a
 *   stateless signed nonce (`DigestNonces`), `verifyCredentials` checks an
 *   `Authorization` / `Proxy-Authorization` value;
 * - as a client (outbound trunks that challenge us): `pickChallenge` chooses among the
 *   challenges of a 401/407, `answerChallenge` writes the credentials.
 *
 * qop `auth` (and `auth-int`), or none (RFC 2069 compatibility); algorithms MD5, SHA-256
 * and their `-sess` variants. Nothing here does I/O: time and randomness come in through
 * `DigestNonces`, password look-ups through the caller.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import {
  type AuthValue,
  type DigestChallenge,
  type DigestCredentials,
  authParam,
  parseAuthValue,
  parseUri,
  quote,
  sipUriEquals,
  toDigestChallenge,
  toDigestCredentials,
} from '../message/index.js';
import type { NonceIssuer, NonceVerifier } from './nonce.js';

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';
/** The hash under an algorithm: what a stored HA1 was made with. */
export type DigestHash = 'MD5' | 'SHA-256';
export type DigestQop = 'auth' | 'auth-int';

/** Every algorithm we speak, strongest first. */
export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = Object.freeze(['SHA-256', 'SHA-256-sess', 'MD5', 'MD5-sess']);

const STRENGTH: Readonly<Record<DigestAlgorithm, number>> = { 'SHA-256': 2, 'SHA-256-sess': 2, MD5: 1, 'MD5-sess': 1 };
const HEX_LENGTH: Readonly<Record<DigestHash, number>> = { MD5: 32, 'SHA-256': 64 };
const NODE_HASH: Readonly<Record<DigestHash, string>> = { MD5: 'md5', 'SHA-256': 'sha256' };

/** An algorithm name as sent (case-insensitive); absent means MD5 (RFC 2617 §3.2.1). */
export function parseDigestAlgorithm(name: string | undefined): DigestAlgorithm | undefined {
  if (name === undefined) return 'MD5';
  const upper = name.toUpperCase();
  return DIGEST_ALGORITHMS.find((a) => a.toUpperCase() === upper);
}

export function hashOf(algorithm: DigestAlgorithm): DigestHash {
  return algorithm.startsWith('SHA-256') ? 'SHA-256' : 'MD5';
}

const isSess = (algorithm: DigestAlgorithm): boolean => algorithm.endsWith('-sess');

/** Lower-case hex digest of UTF-8 text (or bytes). */
export function digestHash(hash: DigestHash, data: string | Uint8Array): string {
  return createHash(NODE_HASH[hash]).update(data).digest('hex');
}

/**
 * H(username:realm:password): what a server stores instead of the password, one per hash
 * (a `-sess` algorithm uses its hash's HA1).
 */
export function digestHA1(hash: DigestHash, username: string, realm: string, password: string): string {
  return digestHash(hash, `${username}:${realm}:${password}`);
}

export interface DigestResponseInput {
  readonly algorithm: DigestAlgorithm;
  /** H(username:realm:password) with the algorithm's hash. */
  readonly ha1: string;
  readonly nonce: string;
  readonly method: string;
  readonly uri: string;
  /** Absent: RFC 2069 response. */
  readonly qop?: DigestQop;
  /** 8 hex digits, as sent. */
  readonly nc?: string;
  readonly cnonce?: string;
  /** The message body, for `auth-int`; default empty. */
  readonly body?: string | Uint8Array;
}

/** The `response` value (RFC 7616 §3.4.1, RFC 2617 §3.2.2.1). */
export function digestResponse(input: DigestResponseInput): string {
  const hash = hashOf(input.algorithm);
  const cnonce = input.cnonce ?? '';
  const ha1 = isSess(input.algorithm) ? digestHash(hash, `${input.ha1}:${input.nonce}:${cnonce}`) : input.ha1;
  const a2 =
    input.qop === 'auth-int'
      ? `${input.method}:${input.uri}:${digestHash(hash, input.body ?? '')}`
      : `${input.method}:${input.uri}`;
  const ha2 = digestHash(hash, a2);
  return input.qop === undefined
    ? digestHash(hash, `${ha1}:${input.nonce}:${ha2}`)
    : digestHash(hash, `${ha1}:${input.nonce}:${input.nc ?? ''}:${cnonce}:${input.qop}:${ha2}`);
}

// ───────────────────────────── server: challenge ─────────────────────────────

export interface ChallengeOptions {
  readonly realm: string;
  readonly algorithm: DigestAlgorithm;
  /** The previous nonce was stale but the response right: the client retries without asking the user. */
  readonly stale?: boolean;
  /** Echoed by the client; `verifyCredentials` checks it when given the same value. */
  readonly opaque?: string;
  /** qop options; default `['auth']`. `false` sends none (RFC 2069 clients only). */
  readonly qop?: readonly DigestQop[] | false;
  /** RFC 7616 `domain`, a space-separated URI list. */
  readonly domain?: string;
}

/** A `WWW-Authenticate` / `Proxy-Authenticate` value with a fresh nonce. */
export function createChallenge(options: ChallengeOptions, nonces: NonceIssuer): string {
  return formatChallenge(options, nonces.issue(options.realm));
}

/**
 * One challenge per algorithm, sharing one nonce, in the order given, which is the order of
 * preference (RFC 8760 §2.3: SHA-256 before MD5). Each is one header field value.
 */
export function createChallenges(
  options: Omit<ChallengeOptions, 'algorithm'> & { readonly algorithms: readonly DigestAlgorithm[] },
  nonces: NonceIssuer,
): string[] {
  const nonce = nonces.issue(options.realm);
  return options.algorithms.map((algorithm) => formatChallenge({ ...options, algorithm }, nonce));
}

function formatChallenge(options: ChallengeOptions, nonce: string): string {
  const parts = [`realm=${quote(options.realm)}`];
  if (options.domain !== undefined) parts.push(`domain=${quote(options.domain)}`);
  parts.push(`nonce=${quote(nonce)}`);
  if (options.opaque !== undefined) parts.push(`opaque=${quote(options.opaque)}`);
  if (options.stale === true) parts.push('stale=true');
  parts.push(`algorithm=${options.algorithm}`);
  const qop = options.qop === undefined ? ['auth'] : options.qop;
  if (qop !== false && qop.length > 0) parts.push(`qop=${quote(qop.join(','))}`);
  return `Digest ${parts.join(', ')}`;
}

// ───────────────────────────── server: verify ─────────────────────────────

type MaybePromise<T> = T | Promise<T>;

/**
 * Why credentials were refused.
 * - `missing`: no Digest credentials at all.
 * - `malformed`: Digest credentials with a field missing or ill-formed.
 * - `unsupported`: an algorithm or qop we do not accept.
 * - `realm-mismatch`: credentials only for other realms.
 * - `uri-mismatch`: the `uri` is not the Request-URI.
 * - `bad-nonce`: a nonce (or opaque) we did not issue, for this realm, or altered.
 * - `unknown-user`: the look-up found no such user.
 * - `bad-response`: the response does not match (wrong password).
 * - `stale-nonce`: the response is right but the nonce expired: challenge again with `stale=true`.
 * - `nc-replay`: a nonce-count already used with this nonce.
 */
export type VerifyFailureReason =
  | 'missing'
  | 'malformed'
  | 'unsupported'
  | 'realm-mismatch'
  | 'uri-mismatch'
  | 'bad-nonce'
  | 'unknown-user'
  | 'bad-response'
  | 'stale-nonce'
  | 'nc-replay';

export type VerifyResult =
  | {
      readonly ok: true;
      readonly username: string;
      readonly realm: string;
      readonly algorithm: DigestAlgorithm;
      readonly qop: DigestQop | undefined;
    }
  | { readonly ok: false; readonly reason: VerifyFailureReason; readonly username?: string };

interface VerifyBase {
  /** The request's method (the A2 of the response is `method:uri`). */
  readonly method: string;
  /** Our realm: only credentials for it are considered. */
  readonly realm: string;
  readonly nonces: NonceVerifier;
  /** When set, the credentials' `uri` must equal it (same string, or equal SIP URIs). */
  readonly requestUri?: string;
  /** The request body, for `qop=auth-int`; default empty. */
  readonly body?: string | Uint8Array;
  /** Algorithms accepted; default all of {@link DIGEST_ALGORITHMS}. */
  readonly algorithms?: readonly DigestAlgorithm[];
  /** Accept responses without qop (RFC 2069, no replay protection); default true. */
  readonly allowNoQop?: boolean;
  /** The opaque value the challenge carried, to be echoed. */
  readonly opaque?: string;
}

/** Look up a user's password (clear text). */
export interface PasswordLookup {
  readonly lookupPassword: (username: string, realm: string) => MaybePromise<string | undefined>;
  readonly lookupHA1?: never;
}

/** Look up a user's stored H(username:realm:password) for a hash. */
export interface HA1Lookup {
  readonly lookupHA1: (username: string, realm: string, hash: DigestHash) => MaybePromise<string | undefined>;
  readonly lookupPassword?: never;
}

export type VerifyOptions = VerifyBase & (PasswordLookup | HA1Lookup);

/** Credentials as received: one header value, a parsed one, or all of a request's. */
export type AuthorizationInput = string | AuthValue | readonly (string | AuthValue)[] | undefined;

const NC_PATTERN = /^[0-9a-fA-F]{8}$/;
const HEX_PATTERN = /^[0-9a-fA-F]+$/;

function toAuthValues(input: AuthorizationInput): { values: AuthValue[]; unreadable: boolean } {
  const list: readonly (string | AuthValue)[] =
    input === undefined ? [] : typeof input === 'string' || !Array.isArray(input) ? [input as string | AuthValue] : input;
  const values: AuthValue[] = [];
  let unreadable = false;
  for (const item of list) {
    const v = typeof item === 'string' ? parseAuthValue(item) : item;
    if (v === undefined) unreadable = true;
    else values.push(v);
  }
  return { values, unreadable };
}

function urisMatch(a: string, b: string): boolean {
  if (a === b) return true;
  const ua = parseUri(a);
  const ub = parseUri(b);
  if (ua === undefined || ub === undefined) return false;
  return ua.kind === 'sip' && ub.kind === 'sip' && sipUriEquals(ua, ub);
}

function sameHex(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'latin1');
  const b = Buffer.from(given.toLowerCase(), 'latin1');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Check Digest credentials against our realm. Checks, in order: there are credentials for
 * the realm, they are complete and use an algorithm and qop we accept, the uri is the
 * Request-URI, the nonce is ours; then the user's secret is looked up and the response
 * compared in constant time; only a right response can be `stale-nonce` or have its
 * nonce-count recorded (`nc-replay`), so a guess cannot burn counts.
 */
export async function verifyCredentials(input: AuthorizationInput, options: VerifyOptions): Promise<VerifyResult> {
  const { values, unreadable } = toAuthValues(input);
  const digests = values.filter((v) => v.scheme.toLowerCase() === 'digest');
  if (digests.length === 0) return { ok: false, reason: unreadable ? 'malformed' : 'missing' };
  const mine = digests.find((v) => authParam(v, 'realm') === options.realm);
  if (mine === undefined) {
    return { ok: false, reason: digests.some((v) => authParam(v, 'realm') === undefined) ? 'malformed' : 'realm-mismatch' };
  }
  const creds = toDigestCredentials(mine);
  if (creds === undefined) return { ok: false, reason: 'malformed', ...usernameOf(mine) };
  const username = creds.username;
  const fail = (reason: VerifyFailureReason): VerifyResult => ({ ok: false, reason, username });

  const algorithm = parseDigestAlgorithm(creds.algorithm);
  if (algorithm === undefined || !(options.algorithms ?? DIGEST_ALGORITHMS).includes(algorithm)) return fail('unsupported');
  const hash = hashOf(algorithm);

  const checked = checkQop(creds, algorithm, options.allowNoQop ?? true);
  if (typeof checked === 'string') return fail(checked);
  const { qop, nc } = checked;
  if (creds.response.length !== HEX_LENGTH[hash] || !HEX_PATTERN.test(creds.response)) return fail('malformed');
  if (options.requestUri !== undefined && !urisMatch(creds.uri, options.requestUri)) return fail('uri-mismatch');

  const nonceStatus = options.nonces.check(creds.nonce, options.realm);
  if (nonceStatus === 'invalid') return fail('bad-nonce');
  if (options.opaque !== undefined && creds.opaque !== options.opaque) return fail('bad-nonce');

  const ha1 = await lookupHA1(options, username, hash);
  const expected = digestResponse({
    algorithm,
    ha1: ha1 ?? digestHash(hash, `\0unknown:${options.realm}`),
    nonce: creds.nonce,
    method: options.method,
    uri: creds.uri,
    ...(qop === undefined ? {} : { qop, nc: creds.nc }),
    ...(creds.cnonce === undefined ? {} : { cnonce: creds.cnonce }),
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  const matches = sameHex(expected, creds.response);
  if (ha1 === undefined) return fail('unknown-user');
  if (!matches) return fail('bad-response');

  if (nonceStatus === 'stale') return fail('stale-nonce');
  if (nc !== undefined) {
    const count = options.nonces.useCount(creds.nonce, nc);
    if (count === 'replay') return fail('nc-replay');
    if (count === 'unknown') return fail('stale-nonce');
  }
  return { ok: true, username, realm: options.realm, algorithm, qop };
}

function usernameOf(v: AuthValue): { username?: string } {
  const u = authParam(v, 'username');
  return u === undefined ? {} : { username: u };
}

function checkQop(
  creds: DigestCredentials,
  algorithm: DigestAlgorithm,
  allowNoQop: boolean,
): { qop: DigestQop | undefined; nc: number | undefined } | VerifyFailureReason {
  if (creds.qop === undefined) {
    if (!allowNoQop) return 'unsupported';
    // A -sess HA1 needs a cnonce, which only comes with qop.
    if (isSess(algorithm)) return 'malformed';
    return { qop: undefined, nc: undefined };
  }
  const qop = creds.qop;
  if (qop !== 'auth' && qop !== 'auth-int') return 'unsupported';
  if (creds.nc === undefined || !NC_PATTERN.test(creds.nc) || creds.cnonce === undefined || creds.cnonce === '') {
    return 'malformed';
  }
  const nc = Number.parseInt(creds.nc, 16);
  if (nc === 0) return 'malformed';
  return { qop, nc };
}

async function lookupHA1(options: VerifyOptions, username: string, hash: DigestHash): Promise<string | undefined> {
  if (options.lookupHA1 !== undefined) {
    const ha1 = await options.lookupHA1(username, options.realm, hash);
    return ha1 === undefined ? undefined : ha1.toLowerCase();
  }
  const password = await options.lookupPassword(username, options.realm);
  return password === undefined ? undefined : digestHA1(hash, username, options.realm, password);
}

/**
 * The response a registrar or UAS sends for a refused request: 400 for credentials that
 * cannot be read or name another URI (RFC 2617 §3.2.2.5), otherwise 401 (407 from a proxy)
 * with a new challenge, `stale=true` after `stale-nonce`. Unknown user and wrong password
 * get the same answer, so the response does not tell which usernames exist.
 */
export function failureResponse(reason: VerifyFailureReason): { readonly status: 400 | 401; readonly stale: boolean } {
  switch (reason) {
    case 'malformed':
    case 'uri-mismatch':
      return { status: 400, stale: false };
    case 'stale-nonce':
      return { status: 401, stale: true };
    default:
      return { status: 401, stale: false };
  }
}

// ───────────────────────────── client ─────────────────────────────

export interface AnswerChallengeOptions {
  readonly username: string;
  readonly password: string;
  /** The method of the request being sent again (INVITE, REGISTER…). */
  readonly method: string;
  /** Its Request-URI. */
  readonly uri: string;
  /** Its body, for a challenge that offers only `auth-int`; default empty. */
  readonly body?: string | Uint8Array;
  /** A fresh client nonce (random, e.g. 16 bytes hex), or where to get one. */
  readonly cnonce: string | (() => string);
  /** How many requests this nonce has now answered, from 1 (sent as 8 hex digits). */
  readonly nc: number;
}

type ChallengeInput = string | AuthValue | DigestChallenge;

function toChallenge(input: ChallengeInput): DigestChallenge | undefined {
  if (typeof input === 'string') {
    const v = parseAuthValue(input);
    return v === undefined ? undefined : toDigestChallenge(v);
  }
  return 'scheme' in input ? toDigestChallenge(input) : input;
}

/** The qop to answer with: `auth` when offered, else `auth-int`, none when none offered; undefined when unusable. */
function chooseQop(challenge: DigestChallenge): DigestQop | null | undefined {
  if (challenge.qop.length === 0) return null;
  const offered = challenge.qop.map((q) => q.toLowerCase());
  if (offered.includes('auth')) return 'auth';
  if (offered.includes('auth-int')) return 'auth-int';
  return undefined;
}

function usable(challenge: DigestChallenge): { algorithm: DigestAlgorithm; qop: DigestQop | null } | undefined {
  const algorithm = parseDigestAlgorithm(challenge.algorithm);
  const qop = chooseQop(challenge);
  if (algorithm === undefined || qop === undefined) return undefined;
  if (qop === null && isSess(algorithm)) return undefined;
  return { algorithm, qop };
}

/**
 * The challenge to answer among those of a 401/407 (one per header field value): the
 * strongest algorithm we speak (SHA-256 over MD5), the topmost among equals. RFC 8760 §2.4
 * has a client use the topmost one it supports "unless a local policy dictates otherwise";
 * preferring the stronger hash is that policy, and servers list SHA-256 first anyway.
 * Only challenges for `realm` when given; undefined when none is usable.
 */
export function pickChallenge(
  values: readonly ChallengeInput[],
  options: { readonly realm?: string } = {},
): DigestChallenge | undefined {
  let best: { challenge: DigestChallenge; strength: number } | undefined;
  for (const value of values) {
    const challenge = toChallenge(value);
    if (challenge === undefined) continue;
    if (options.realm !== undefined && challenge.realm !== options.realm) continue;
    const u = usable(challenge);
    if (u === undefined) continue;
    const strength = STRENGTH[u.algorithm];
    if (best === undefined || strength > best.strength) best = { challenge, strength };
  }
  return best?.challenge;
}

/**
 * The `Authorization` (or `Proxy-Authorization`) value answering a challenge; undefined
 * when the challenge is not a Digest challenge we can answer (unknown algorithm or qop).
 */
export function answerChallenge(challenge: ChallengeInput, options: AnswerChallengeOptions): string | undefined {
  const c = toChallenge(challenge);
  if (c === undefined) return undefined;
  const u = usable(c);
  if (u === undefined) return undefined;
  if (!Number.isInteger(options.nc) || options.nc < 1 || options.nc > 0xffffffff) {
    throw new RangeError(`nonce count out of range: ${options.nc}`);
  }
  const qop = u.qop ?? undefined;
  const cnonce = qop === undefined ? undefined : typeof options.cnonce === 'function' ? options.cnonce() : options.cnonce;
  const nc = qop === undefined ? undefined : options.nc.toString(16).padStart(8, '0');
  const response = digestResponse({
    algorithm: u.algorithm,
    ha1: digestHA1(hashOf(u.algorithm), options.username, c.realm, options.password),
    nonce: c.nonce,
    method: options.method,
    uri: options.uri,
    ...(qop === undefined ? {} : { qop, nc, cnonce }),
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  const parts = [
    `username=${quote(options.username)}`,
    `realm=${quote(c.realm)}`,
    `nonce=${quote(c.nonce)}`,
    `uri=${quote(options.uri)}`,
    `response=${quote(response)}`,
    `algorithm=${u.algorithm}`,
  ];
  if (cnonce !== undefined) parts.push(`cnonce=${quote(cnonce)}`);
  if (c.opaque !== undefined) parts.push(`opaque=${quote(c.opaque)}`);
  if (qop !== undefined) parts.push(`qop=${qop}`, `nc=${nc}`);
  return `Digest ${parts.join(', ')}`;
}

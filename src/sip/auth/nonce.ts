/**
 * Server nonces for Digest authentication that verify without a table of issued nonces.
 *
 * A nonce is `base64url(issuedAt ‖ random ‖ mac)`: 6 bytes of wall-clock milliseconds,
 * 9 random bytes, and the first 15 bytes of HMAC-SHA-256(secret, realm ‖ issuedAt ‖ random).
 * Any process holding the secret can tell one of its nonces from a forged or altered one
 * and knows its age, so a nonce issued by one node of a cluster verifies on another.
 *
 * What needs state is the nonce-count (RFC 7616 §3.4: a client that reuses a nonce counts
 * its requests with `nc`): a replayed request repeats a count. Counts are tracked per nonce
 * in a sliding window, in a bounded map.
 */
import { createHmac, randomBytes as cryptoRandomBytes, timingSafeEqual } from 'node:crypto';

export interface DigestNonceOptions {
  /**
   * The server secret, at least 16 bytes. Every node that must verify another's nonces
   * holds the same one; changing it makes outstanding nonces invalid (clients re-authenticate).
   */
  readonly secret: Uint8Array | string;
  /**
   * How long a nonce is good for, ms; default 300 000 (5 min). A correct response with an
   * older nonce is answered with a new challenge carrying `stale=true`, which clients follow
   * without asking the user again.
   */
  readonly lifetimeMs?: number;
  /** Wall-clock milliseconds since the epoch (nonces cross processes); default `Date.now`. */
  readonly now?: () => number;
  /** Random bytes; default `crypto.randomBytes`. */
  readonly randomBytes?: (size: number) => Uint8Array;
  /** How far below the highest count seen a count may still arrive (reordering); default 32. */
  readonly replayWindow?: number;
  /** How many nonces' counts are tracked at most; default 10 000. */
  readonly maxTracked?: number;
  /** How far in the future a nonce may have been issued (another node's clock), ms; default 30 000. */
  readonly clockSkewMs?: number;
}

/** `fresh`: ours and within its lifetime; `stale`: ours but expired; `invalid`: not one of ours (or another realm's). */
export type NonceStatus = 'fresh' | 'stale' | 'invalid';

/**
 * `ok`: first use of this count; `replay`: seen before, or too far behind the highest;
 * `unknown`: the nonce's counts may have been evicted, so a replay cannot be ruled out
 * (treat as stale: the client gets a new nonce).
 */
export type CountStatus = 'ok' | 'replay' | 'unknown';

/** What `createChallenge` needs: a nonce for a realm. */
export interface NonceIssuer {
  issue(realm: string): string;
}

/** What `verifyCredentials` needs: the status of a nonce, and the nonce-count check. */
export interface NonceVerifier {
  check(nonce: string, realm: string): NonceStatus;
  /** Record a count for a nonce that `check` accepted; call only once the response verified. */
  useCount(nonce: string, nc: number): CountStatus;
}

const TS_BYTES = 6;
const RANDOM_BYTES = 9;
const MAC_BYTES = 15;
const NONCE_BYTES = TS_BYTES + RANDOM_BYTES + MAC_BYTES; // 30 bytes → 40 base64url characters
const NONCE_PATTERN = /^[A-Za-z0-9_-]{40}$/;
const MAC_LABEL = Buffer.from('dialtone digest nonce v1\0', 'latin1');

interface CountWindow {
  readonly issuedAt: number;
  /** Highest count seen. */
  max: number;
  /** Bit i set: count `max - i` seen. */
  mask: bigint;
}

export class DigestNonces implements NonceIssuer, NonceVerifier {
  readonly #secret: Buffer;
  readonly #lifetimeMs: number;
  readonly #now: () => number;
  readonly #randomBytes: (size: number) => Uint8Array;
  readonly #window: number;
  readonly #windowMask: bigint;
  readonly #maxTracked: number;
  readonly #skewMs: number;
  readonly #counts = new Map<string, CountWindow>();
  /** The latest issue time of a live nonce whose counts were evicted. */
  #evictedUpTo = -Infinity;

  constructor(options: DigestNonceOptions) {
    const secret = typeof options.secret === 'string' ? Buffer.from(options.secret, 'utf8') : Buffer.from(options.secret);
    if (secret.length < 16) throw new RangeError('the digest nonce secret must be at least 16 bytes');
    this.#secret = secret;
    this.#lifetimeMs = options.lifetimeMs ?? 300_000;
    this.#now = options.now ?? Date.now;
    this.#randomBytes = options.randomBytes ?? cryptoRandomBytes;
    this.#window = options.replayWindow ?? 32;
    if (!Number.isInteger(this.#window) || this.#window < 1) throw new RangeError('replayWindow must be a positive integer');
    this.#windowMask = (1n << BigInt(this.#window)) - 1n;
    this.#maxTracked = options.maxTracked ?? 10_000;
    this.#skewMs = options.clockSkewMs ?? 30_000;
  }

  /** The nonce lifetime, ms. */
  get lifetimeMs(): number {
    return this.#lifetimeMs;
  }

  /** How many nonces' counts are tracked now. */
  get tracked(): number {
    return this.#counts.size;
  }

  issue(realm: string): string {
    const bytes = Buffer.alloc(NONCE_BYTES);
    bytes.writeUIntBE(Math.max(0, Math.floor(this.#now())) % 2 ** 48, 0, TS_BYTES);
    const random = this.#randomBytes(RANDOM_BYTES);
    if (random.length < RANDOM_BYTES) throw new RangeError('randomBytes returned too few bytes');
    bytes.set(random.subarray(0, RANDOM_BYTES), TS_BYTES);
    this.#mac(realm, bytes.subarray(0, TS_BYTES + RANDOM_BYTES)).copy(bytes, TS_BYTES + RANDOM_BYTES, 0, MAC_BYTES);
    return bytes.toString('base64url');
  }

  check(nonce: string, realm: string): NonceStatus {
    const issuedAt = this.#verify(nonce, realm);
    if (issuedAt === undefined) return 'invalid';
    const now = this.#now();
    if (issuedAt > now + this.#skewMs) return 'invalid';
    return now - issuedAt > this.#lifetimeMs ? 'stale' : 'fresh';
  }

  useCount(nonce: string, nc: number): CountStatus {
    if (!Number.isInteger(nc) || nc < 1) return 'replay';
    let entry = this.#counts.get(nonce);
    if (entry === undefined) {
      const issuedAt = issuedAtOf(nonce);
      if (issuedAt === undefined) return 'replay';
      if (issuedAt <= this.#evictedUpTo) return 'unknown';
      this.#makeRoom();
      entry = { issuedAt, max: 0, mask: 0n };
      this.#counts.set(nonce, entry);
    }
    if (nc > entry.max) {
      const shift = nc - entry.max;
      entry.mask = shift >= this.#window ? 1n : ((entry.mask << BigInt(shift)) | 1n) & this.#windowMask;
      entry.max = nc;
      return 'ok';
    }
    const back = entry.max - nc;
    if (back >= this.#window) return 'replay';
    const bit = 1n << BigInt(back);
    if ((entry.mask & bit) !== 0n) return 'replay';
    entry.mask |= bit;
    return 'ok';
  }

  #mac(realm: string, payload: Uint8Array): Buffer {
    const realmBytes = Buffer.from(realm, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(realmBytes.length);
    return createHmac('sha256', this.#secret).update(MAC_LABEL).update(len).update(realmBytes).update(payload).digest();
  }

  /** The issue time of a nonce of ours for this realm; undefined for anything else. */
  #verify(nonce: string, realm: string): number | undefined {
    if (typeof nonce !== 'string' || !NONCE_PATTERN.test(nonce)) return undefined;
    const bytes = Buffer.from(nonce, 'base64url');
    if (bytes.length !== NONCE_BYTES) return undefined;
    const expected = this.#mac(realm, bytes.subarray(0, TS_BYTES + RANDOM_BYTES)).subarray(0, MAC_BYTES);
    if (!timingSafeEqual(expected, bytes.subarray(TS_BYTES + RANDOM_BYTES))) return undefined;
    return bytes.readUIntBE(0, TS_BYTES);
  }

  /** Before tracking one more nonce: drop expired ones, then the oldest-tracked live ones. */
  #makeRoom(): void {
    if (this.#counts.size < this.#maxTracked) return;
    // An expired nonce is refused as stale before its counts are looked at.
    const horizon = this.#now() - this.#lifetimeMs;
    for (const [nonce, entry] of this.#counts) if (entry.issuedAt < horizon) this.#counts.delete(nonce);
    const target = Math.floor(this.#maxTracked * 0.9);
    for (const [nonce, entry] of this.#counts) {
      if (this.#counts.size <= target) break;
      this.#counts.delete(nonce);
      if (entry.issuedAt > this.#evictedUpTo) this.#evictedUpTo = entry.issuedAt;
    }
  }
}

function issuedAtOf(nonce: string): number | undefined {
  if (!NONCE_PATTERN.test(nonce)) return undefined;
  return Buffer.from(nonce, 'base64url').readUIntBE(0, TS_BYTES);
}

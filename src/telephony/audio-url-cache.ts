/**
 * Audio for `<Play>` fetched by URL, decoded once to {@link Pcm8k} and kept
 * as long as the server's HTTP caching headers allow (RFC 9111, as a private
 * cache: we are the client that uses the response).
 *
 * - `Cache-Control: max-age` (else `Expires` − `Date`, else 10 % of the time
 *   since `Last-Modified`, capped) sets how long an entry is fresh; `Age` and
 *   the `Date` header count against it.
 * - `no-store` (or `Vary: *`) is never kept; `no-cache` is kept but
 *   revalidated on every use.
 * - A stale entry with an `ETag` or `Last-Modified` is revalidated with
 *   `If-None-Match` / `If-Modified-Since`; a 304 refreshes its lifetime and
 *   keeps the decoded audio, so it is not decoded again.
 * - If revalidation fails (network error or 5xx), the stale audio is played
 *   unless the server said `must-revalidate` or `no-cache`.
 *
 * Requests are plain GETs: no call parameters, no cookies. Concurrent
 * requests for one URL share a fetch; a caller's abort signal ends its own
 * wait, not the shared fetch. Decoded audio is held in an LRU bounded
 * by bytes, in shared memory (see `sharePcm`) so the media worker can play it
 * without a copy. Failures are {@link AudioFetchError} (the 11200 family) or
 * {@link AudioDecodeError} (13420).
 */
import { Agent, type Dispatcher, request } from 'undici';
import type { DecodeOptions } from '../media/audio/cooperate.js';
import { decodeAudio } from '../media/audio/decode.js';
import { AudioDecodeError, AudioFetchError, type AudioFetchErrorCode } from '../media/audio/errors.js';
import { type Pcm8k, sharePcm } from '../media/audio/pcm.js';

export interface AudioUrlCacheOptions {
  /** Bytes of decoded PCM kept (default 64 MiB, about 70 minutes of audio). */
  maxMemoryBytes?: number;
  /** Largest response body accepted (default 32 MiB). */
  maxBodyBytes?: number;
  /** Whole fetch, redirects included, ms (default 30,000). */
  timeoutMs?: number;
  /** Redirects followed before failing with 11215 (default 10, as Twilio). */
  maxRedirects?: number;
  /** Cap on heuristic freshness from Last-Modified, ms (default 24 h; 0 disables). */
  heuristicMaxMs?: number;
  /** HTTP dispatcher (default: an undici Agent owned by the cache, closed by `close()`). */
  dispatcher?: Dispatcher;
  /** Clock, ms since the epoch (default `Date.now`); tests move it forward. */
  now?: () => number;
  /** User-Agent header (default "Dialtone"). */
  userAgent?: string;
  /** Decoder settings (resampler quality, slice length). */
  decode?: Pick<DecodeOptions, 'quality' | 'sliceMs'>;
}

/** How a request was answered. */
export type AudioCacheOutcome = 'hit' | 'revalidated' | 'fetched' | 'stale';

export interface FetchedAudio {
  readonly pcm: Pcm8k;
  readonly outcome: AudioCacheOutcome;
  /** The Content-Type the audio was served with. */
  readonly contentType: string | undefined;
}

export interface AudioUrlCacheStats {
  readonly hits: number;
  readonly revalidated: number;
  readonly fetched: number;
  readonly stale: number;
  /** Requests that joined a fetch already under way. */
  readonly shared: number;
  readonly entries: number;
  readonly memoryBytes: number;
}

/** Response headers that bear on caching, kept so a 304 can update them (RFC 9111 §4.3.4). */
const CACHE_HEADERS = ['cache-control', 'pragma', 'expires', 'date', 'age', 'etag', 'last-modified', 'vary'] as const;

type CacheHeaders = Partial<Record<(typeof CACHE_HEADERS)[number], string>>;

interface Entry {
  readonly pcm: Pcm8k;
  readonly contentType: string | undefined;
  /** The stored response's caching headers. */
  headers: CacheHeaders;
  /** Absolute time after which the entry must be revalidated, ms. */
  freshUntil: number;
  etag: string | undefined;
  lastModified: string | undefined;
  noCache: boolean;
  mustRevalidate: boolean;
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function pickCacheHeaders(headers: Headers): CacheHeaders {
  const out: CacheHeaders = {};
  for (const name of CACHE_HEADERS) {
    const value = header(headers, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Cache-Control directives, lower-cased names; value '' for a bare directive. */
export function parseCacheControl(value: string | undefined): Map<string, string> {
  const directives = new Map<string, string>();
  if (value === undefined) return directives;
  for (const part of value.split(',')) {
    const match = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*(?:=\s*(?:"([^"]*)"|([^\s,;]*)))?\s*$/.exec(part);
    if (match === null) continue;
    const name = match[1]!.toLowerCase();
    if (!directives.has(name)) directives.set(name, match[2] ?? match[3] ?? '');
  }
  return directives;
}

function seconds(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

function httpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Maps a thrown network error (undici, Node) to a fetch error code. */
function classify(error: unknown): AudioFetchErrorCode {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e !== null && typeof e === 'object'; depth++) {
    const code = String((e as { code?: unknown }).code ?? '');
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL') return 'dns';
    if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || code.includes('CERT') || code.includes('SIGNATURE')) {
      return 'tls';
    }
    if (code.startsWith('HPE_') || code === 'UND_ERR_RESPONSE_EXCEEDED_MAX_SIZE' || code === 'UND_ERR_INVALID_ARG') return 'protocol';
    if (code !== '') return 'connection';
    e = (e as { cause?: unknown }).cause;
  }
  return 'connection';
}

/** `promise`, or an `aborted` error as soon as `signal` fires (the shared work goes on). */
function abortable<T>(url: string, promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  const aborted = (): AudioFetchError =>
    new AudioFetchError('aborted', url, `fetching ${url} was aborted`, { cause: signal.reason });
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

export class AudioUrlCache {
  readonly #entries = new Map<string, Entry>();
  #memoryBytes = 0;
  readonly #inFlight = new Map<string, Promise<FetchedAudio>>();
  readonly #maxMemoryBytes: number;
  readonly #maxBodyBytes: number;
  readonly #timeoutMs: number;
  readonly #maxRedirects: number;
  readonly #heuristicMaxMs: number;
  readonly #now: () => number;
  readonly #userAgent: string;
  readonly #decode: Pick<DecodeOptions, 'quality' | 'sliceMs'>;
  readonly #ownDispatcher: Agent | undefined;
  readonly #dispatcher: Dispatcher;
  #hits = 0;
  #revalidated = 0;
  #fetched = 0;
  #stale = 0;
  #shared = 0;

  constructor(options: AudioUrlCacheOptions = {}) {
    this.#maxMemoryBytes = options.maxMemoryBytes ?? 64 * 1024 * 1024;
    this.#maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxRedirects = options.maxRedirects ?? 10;
    this.#heuristicMaxMs = options.heuristicMaxMs ?? 24 * 3600 * 1000;
    this.#now = options.now ?? Date.now;
    this.#userAgent = options.userAgent ?? 'Dialtone';
    this.#decode = options.decode ?? {};
    if (options.dispatcher === undefined) {
      this.#ownDispatcher = new Agent({ connect: { timeout: 10_000 }, headersTimeout: 15_000, bodyTimeout: 15_000 });
      this.#dispatcher = this.#ownDispatcher;
    } else {
      this.#ownDispatcher = undefined;
      this.#dispatcher = options.dispatcher;
    }
  }

  get stats(): AudioUrlCacheStats {
    return {
      hits: this.#hits,
      revalidated: this.#revalidated,
      fetched: this.#fetched,
      stale: this.#stale,
      shared: this.#shared,
      entries: this.#entries.size,
      memoryBytes: this.#memoryBytes,
    };
  }

  /** The decoded audio at `url`. */
  async get(url: string, options: { signal?: AbortSignal } = {}): Promise<Pcm8k> {
    return (await this.fetch(url, options)).pcm;
  }

  /** The decoded audio at `url`, with how it was obtained. */
  fetch(url: string, options: { signal?: AbortSignal } = {}): Promise<FetchedAudio> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (error) {
      return Promise.reject(new AudioFetchError('invalid-url', url, `invalid audio URL ${JSON.stringify(url)}`, { cause: error }));
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      return Promise.reject(new AudioFetchError('invalid-url', url, `audio URL scheme ${parsed.protocol} is not http(s)`));
    }
    const key = parsed.href;
    const entry = this.#entries.get(key);
    if (entry !== undefined && !entry.noCache && this.#now() < entry.freshUntil) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      this.#hits++;
      return Promise.resolve({ pcm: entry.pcm, outcome: 'hit', contentType: entry.contentType });
    }
    let pending = this.#inFlight.get(key);
    if (pending !== undefined) {
      this.#shared++;
    } else {
      pending = this.#load(key, entry).finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, pending);
    }
    return abortable(url, pending, options.signal);
  }

  /** Forgets every entry. */
  clear(): void {
    this.#entries.clear();
    this.#memoryBytes = 0;
  }

  /** Closes the cache's own HTTP agent (not a dispatcher passed in). */
  async close(): Promise<void> {
    await this.#ownDispatcher?.close();
  }

  /** One fetch, shared by every caller waiting for `url`; bounded by the timeout, not by any caller's signal. */
  async #load(url: string, entry: Entry | undefined): Promise<FetchedAudio> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const conditional: Record<string, string> = {};
    if (entry?.etag !== undefined) conditional['if-none-match'] = entry.etag;
    if (entry?.lastModified !== undefined) conditional['if-modified-since'] = entry.lastModified;
    let response: { status: number; headers: Headers; body: Uint8Array | undefined; requestedAt: number; receivedAt: number };
    try {
      response = await this.#get(url, conditional, timeout);
    } catch (error) {
      let failure: AudioFetchError;
      if (error instanceof AudioFetchError) failure = error;
      else if (timeout.aborted) {
        failure = new AudioFetchError('connection', url, `fetching ${url} took longer than ${this.#timeoutMs} ms`, {
          cause: error,
        });
      } else {
        const message = error instanceof Error ? error.message : String(error);
        failure = new AudioFetchError(classify(error), url, `fetching ${url} failed: ${message}`, { cause: error });
      }
      return this.#staleOr(entry, failure);
    }
    const { status, headers } = response;
    if (status === 304) {
      if (entry === undefined) {
        throw new AudioFetchError('protocol', url, `${url} answered 304 to an unconditional request`, { status });
      }
      // The 304's headers replace the stored ones they name; the others stay.
      const merged: CacheHeaders = { ...entry.headers, ...pickCacheHeaders(headers) };
      if (pickCacheHeaders(headers).age === undefined) delete merged.age;
      if (this.#refresh(entry, merged, response.requestedAt, response.receivedAt)) this.#touch(url, entry);
      else this.#forget(url);
      this.#revalidated++;
      return { pcm: entry.pcm, outcome: 'revalidated', contentType: entry.contentType };
    }
    if (status >= 500) {
      return this.#staleOr(entry, new AudioFetchError('http-status', url, `${url} answered HTTP ${status}`, { status }));
    }
    if (status >= 400 || status < 200 || status === 206) {
      this.#forget(url);
      throw new AudioFetchError('http-status', url, `${url} answered HTTP ${status}`, { status });
    }
    const contentType = header(headers, 'content-type');
    const decoded = await decodeAudio(response.body ?? new Uint8Array(0), {
      ...this.#decode,
      ...(contentType === undefined ? {} : { contentType }),
    }).catch((error: unknown) => {
      this.#forget(url);
      throw error instanceof AudioDecodeError ? error : new AudioDecodeError('corrupt', `${url}: ${String(error)}`, { cause: error });
    });
    const pcm = sharePcm(decoded);
    this.#fetched++;
    const fresh: Entry = {
      pcm,
      contentType,
      headers: {},
      freshUntil: 0,
      etag: undefined,
      lastModified: undefined,
      noCache: false,
      mustRevalidate: false,
    };
    if (this.#refresh(fresh, pickCacheHeaders(headers), response.requestedAt, response.receivedAt)) this.#store(url, fresh);
    else this.#forget(url);
    return { pcm, outcome: 'fetched', contentType };
  }

  /** Serves a stale entry when revalidation failed and the server allowed it; else throws `failure`. */
  #staleOr(entry: Entry | undefined, failure: AudioFetchError): FetchedAudio {
    if (entry !== undefined && !entry.mustRevalidate && !entry.noCache && failure.code !== 'aborted') {
      this.#stale++;
      return { pcm: entry.pcm, outcome: 'stale', contentType: entry.contentType };
    }
    throw failure;
  }

  /**
   * Sets `entry`'s caching state from a response's caching headers (freshness,
   * validators). Returns false when the response must not be stored.
   */
  #refresh(entry: Entry, headers: CacheHeaders, requestedAt: number, receivedAt: number): boolean {
    entry.headers = headers;
    const cc = parseCacheControl(headers['cache-control']);
    if (cc.has('no-store') || headers.vary?.trim() === '*') return false;
    entry.etag = headers.etag;
    entry.lastModified = headers['last-modified'];
    entry.noCache =
      cc.has('no-cache') || (!cc.has('max-age') && headers.pragma?.toLowerCase().includes('no-cache') === true);
    entry.mustRevalidate = cc.has('must-revalidate') || cc.has('proxy-revalidate');

    const date = httpDate(headers.date) ?? receivedAt;
    let lifetime: number;
    const maxAge = seconds(cc.get('max-age'));
    if (maxAge !== undefined) {
      lifetime = maxAge * 1000;
    } else if (headers.expires !== undefined) {
      const expires = httpDate(headers.expires);
      lifetime = expires === undefined ? 0 : Math.max(0, expires - date);
    } else {
      const modified = httpDate(entry.lastModified);
      lifetime = modified === undefined ? 0 : Math.min(this.#heuristicMaxMs, Math.max(0, (date - modified) / 10));
    }
    // RFC 9111 §4.2.3: the age the response already had when it arrived.
    const ageHeader = (seconds(headers.age) ?? 0) * 1000;
    const apparentAge = Math.max(0, receivedAt - date);
    const initialAge = Math.max(apparentAge, ageHeader + (receivedAt - requestedAt));
    entry.freshUntil = receivedAt + lifetime - initialAge;
    // Worth keeping if it can be served fresh or revalidated cheaply.
    return lifetime > initialAge || entry.etag !== undefined || entry.lastModified !== undefined;
  }

  async #get(
    url: string,
    conditional: Record<string, string>,
    signal: AbortSignal,
  ): Promise<{ status: number; headers: Headers; body: Uint8Array | undefined; requestedAt: number; receivedAt: number }> {
    let target = url;
    for (let hop = 0; ; hop++) {
      const requestedAt = this.#now();
      const response = await request(target, {
        method: 'GET',
        headers: {
          'user-agent': this.#userAgent,
          accept: 'audio/*, application/octet-stream;q=0.9, */*;q=0.1',
          ...conditional,
        },
        signal,
        dispatcher: this.#dispatcher,
      });
      const receivedAt = this.#now();
      const status = response.statusCode;
      const headers = response.headers as Headers;
      if (status >= 300 && status < 400 && status !== 304) {
        await response.body.dump();
        const location = header(headers, 'location');
        if (location === undefined) {
          throw new AudioFetchError('invalid-redirect', url, `${target} answered ${status} without a Location`, { status });
        }
        let next: URL;
        try {
          next = new URL(location, target);
        } catch (error) {
          throw new AudioFetchError('invalid-redirect', url, `${target} redirected to an invalid URL`, { cause: error, status });
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw new AudioFetchError('invalid-redirect', url, `${target} redirected to ${next.protocol}`, { status });
        }
        if (hop + 1 > this.#maxRedirects) {
          throw new AudioFetchError('too-many-redirects', url, `${url}: more than ${this.#maxRedirects} redirects`, { status });
        }
        target = next.href;
        continue;
      }
      if (status < 200 || status >= 300) {
        await response.body.dump();
        return { status, headers, body: undefined, requestedAt, receivedAt };
      }
      const body = await this.#readBody(url, response.body, header(headers, 'content-length'));
      return { status, headers, body, requestedAt, receivedAt };
    }
  }

  async #readBody(url: string, body: Dispatcher.ResponseData['body'], contentLength: string | undefined): Promise<Uint8Array> {
    const declared = contentLength === undefined ? undefined : Number(contentLength);
    if (declared !== undefined && declared > this.#maxBodyBytes) {
      await body.dump({ limit: 1 }).catch(() => undefined);
      throw new AudioFetchError('too-large', url, `${url} is ${declared} bytes, over the ${this.#maxBodyBytes}-byte limit`);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of body as AsyncIterable<Uint8Array>) {
      total += chunk.length;
      if (total > this.#maxBodyBytes) {
        // Leaving the loop destroys the body (and with it the connection).
        throw new AudioFetchError('too-large', url, `${url} exceeds the ${this.#maxBodyBytes}-byte limit`);
      }
      chunks.push(chunk);
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const chunk of chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }

  #store(url: string, entry: Entry): void {
    this.#forget(url);
    const size = entry.pcm.byteLength;
    if (size > this.#maxMemoryBytes) return;
    this.#entries.set(url, entry);
    this.#memoryBytes += size;
    for (const [oldest, value] of this.#entries) {
      if (this.#memoryBytes <= this.#maxMemoryBytes) break;
      this.#entries.delete(oldest);
      this.#memoryBytes -= value.pcm.byteLength;
    }
  }

  #touch(url: string, entry: Entry): void {
    if (this.#entries.get(url) !== entry) return;
    this.#entries.delete(url);
    this.#entries.set(url, entry);
  }

  #forget(url: string): void {
    const old = this.#entries.get(url);
    if (old === undefined) return;
    this.#entries.delete(url);
    this.#memoryBytes -= old.pcm.byteLength;
  }
}

/**
 * The webhook client: asks an application for a document, or tells it of an event.
 * Signs every request (X-Twilio-Signature, and the same value as X-SignalWire-Signature),
 * honours Twilio's connection overrides in the URL fragment (`#ct=1000&rt=5000&tt=8000&rc=2&rp=all`),
 * keeps cookies for the call, follows up to ten redirects as Twilio does (SEM-H3; a
 * redirect to GET does not send the parameters again, SEM-G9), and turns every failure
 * into a WebhookError with Twilio's code.
 */
import { Agent, errors as undiciErrors, request, type Dispatcher } from 'undici';
import type { CookieJar } from './cookies.js';
import { WebhookError } from './errors.js';
import type { DestinationGuard } from './guard.js';
import { signatureBase, sign, type FormParams } from './sign.js';

export interface WebhookRequest {
  /** Absolute URL; a fragment carries connection overrides and is never sent. */
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly params: FormParams;
  /** Signs the request with this token when given. */
  readonly authToken?: string;
  readonly cookies?: CookieJar;
  /** Documents must be non-empty and at most `maxBodyBytes`; callbacks may be empty. */
  readonly expectDocument?: boolean;
}

export interface WebhookResponse {
  /** The URL that answered, after redirects, without the fragment. */
  readonly url: string;
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
  /** The exact string that was signed for the last request, for the call timeline. */
  readonly signed: string | undefined;
  readonly signature: string | undefined;
  readonly durationMs: number;
  readonly attempts: number;
}

/** Twilio's connection overrides, with its defaults. */
export interface ConnectionOverrides {
  /** Connect timeout, ms. */
  readonly ct: number;
  /** Read timeout, ms: the wait for response headers and between body chunks. */
  readonly rt: number;
  /** Total timeout, ms, over every attempt. */
  readonly tt: number;
  /** Retries after the first attempt. */
  readonly rc: number;
  /** Which failures are retried. */
  readonly rp: ReadonlySet<'ct' | 'rt' | '4xx' | '5xx'>;
}

export const DEFAULT_OVERRIDES: ConnectionOverrides = { ct: 5000, rt: 15000, tt: 15000, rc: 1, rp: new Set(['ct']) };

/** Splits `#ct=…&rt=…` off a URL. Unknown or malformed keys are ignored. */
export function connectionOverrides(url: string): { url: string; overrides: ConnectionOverrides } {
  const hash = url.indexOf('#');
  if (hash === -1) return { url, overrides: DEFAULT_OVERRIDES };
  const bare = url.slice(0, hash);
  const out = { ct: DEFAULT_OVERRIDES.ct, rt: DEFAULT_OVERRIDES.rt, tt: DEFAULT_OVERRIDES.tt, rc: DEFAULT_OVERRIDES.rc, rp: new Set(DEFAULT_OVERRIDES.rp) };
  for (const [key, value] of new URLSearchParams(url.slice(hash + 1))) {
    const n = Number(value);
    if ((key === 'ct' || key === 'rt' || key === 'tt') && Number.isInteger(n) && n > 0 && n <= 60_000) out[key] = n;
    else if (key === 'rc' && Number.isInteger(n) && n >= 0 && n <= 5) out.rc = n;
    else if (key === 'rp') {
      const parts = value.split(',').map((p) => p.trim());
      const all = parts.includes('all');
      out.rp = new Set(all ? (['ct', 'rt', '4xx', '5xx'] as const) : parts.filter((p): p is 'ct' | 'rt' | '4xx' | '5xx' => ['ct', 'rt', '4xx', '5xx'].includes(p)));
    }
  }
  return { url: bare, overrides: out };
}

export interface WebhookClientOptions {
  readonly guard: DestinationGuard;
  readonly userAgent?: string;
  /** Twilio refuses documents over 64 kB (11750). */
  readonly maxBodyBytes?: number;
  /** Default 10, Twilio's limit (11215 past it). */
  readonly maxRedirects?: number;
  /** For tests: a dispatcher of one's own. Production uses the guarded agent. */
  readonly dispatcher?: Dispatcher;
}

function encodeForm(params: FormParams): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === 'string') search.append(name, value);
    else for (const v of value) search.append(name, v);
  }
  return search.toString();
}

function classify(err: unknown, url: string): WebhookError {
  if (err instanceof WebhookError) return err;
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  if (err instanceof undiciErrors.ConnectTimeoutError || e.code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new WebhookError('connect-timeout', 'connection timed out', url, undefined, { cause: err });
  }
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
    return new WebhookError('response-timeout', 'no response in time', url, undefined, { cause: err });
  }
  if (e.code === 'EDIALTONE_REFUSED' || (err as { cause?: { code?: string } }).cause?.code === 'EDIALTONE_REFUSED') {
    return new WebhookError('refused-destination', message, url, undefined, { cause: err });
  }
  if (e.code === 'ECONNREFUSED') return new WebhookError('connection-refused', 'connection refused', url, undefined, { cause: err });
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return new WebhookError('dns', `no such host (${e.code})`, url, undefined, { cause: err });
  if (typeof e.code === 'string' && /CERT|SSL|TLS/.test(e.code)) return new WebhookError('tls', message, url, undefined, { cause: err });
  if (e.code === 'UND_ERR_ABORTED' || (err as Error).name === 'AbortError' || (err as Error).name === 'TimeoutError') {
    return new WebhookError('response-timeout', 'the total timeout passed', url, undefined, { cause: err });
  }
  if (err instanceof undiciErrors.HTTPParserError) return new WebhookError('protocol', message, url, undefined, { cause: err });
  return new WebhookError('connection-failed', message, url, undefined, { cause: err });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export class WebhookClient {
  readonly #guard: DestinationGuard;
  readonly #userAgent: string;
  readonly #maxBody: number;
  readonly #maxRedirects: number;
  readonly #dispatchers = new Map<number, Dispatcher>();
  readonly #dispatcher: Dispatcher | undefined;

  constructor(options: WebhookClientOptions) {
    this.#guard = options.guard;
    this.#userAgent = options.userAgent ?? 'Dialtone';
    this.#maxBody = options.maxBodyBytes ?? 64 * 1024;
    this.#maxRedirects = options.maxRedirects ?? 10;
    this.#dispatcher = options.dispatcher;
  }

  /** One agent per connect timeout, each resolving names through the guard. */
  #agent(connectTimeout: number): Dispatcher {
    if (this.#dispatcher) return this.#dispatcher;
    let agent = this.#dispatchers.get(connectTimeout);
    if (!agent) {
      agent = new Agent({ connect: { timeout: connectTimeout, lookup: this.#guard.lookup }, keepAliveTimeout: 10_000 });
      this.#dispatchers.set(connectTimeout, agent);
    }
    return agent;
  }

  async fetch(req: WebhookRequest): Promise<WebhookResponse> {
    const started = performance.now();
    const { url: bare, overrides } = connectionOverrides(req.url);
    let parsed: URL;
    try {
      parsed = new URL(bare);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      throw new WebhookError('invalid-url', `"${req.url}" is not an absolute http(s) URL`, req.url);
    }
    const deadline = started + overrides.tt;
    let attempts = 0;
    for (;;) {
      attempts++;
      try {
        const response = await this.#follow(parsed.toString(), req, overrides, deadline);
        return { ...response, durationMs: performance.now() - started, attempts };
      } catch (err) {
        const error = classify(err, bare);
        const retryable =
          (error.failure === 'connect-timeout' && overrides.rp.has('ct')) ||
          (error.failure === 'response-timeout' && overrides.rp.has('rt')) ||
          (error.failure === 'http-status' && error.status !== undefined && error.status >= 400 && error.status < 500 && overrides.rp.has('4xx')) ||
          (error.failure === 'http-status' && error.status !== undefined && error.status >= 500 && overrides.rp.has('5xx'));
        if (!retryable || attempts > overrides.rc || performance.now() >= deadline) throw error;
      }
    }
  }

  async #follow(
    startUrl: string,
    req: WebhookRequest,
    overrides: ConnectionOverrides,
    deadline: number,
  ): Promise<Omit<WebhookResponse, 'durationMs' | 'attempts'>> {
    let url = startUrl;
    let method = req.method;
    let params = req.params;
    // `https://user:pass@host/…` (SEM-H6): asked first without, and again with Basic credentials after a 401.
    let authorization: string | undefined;
    let authorize = false;
    /** The user info as given, put back on the URL reported, so that relative URLs in the document keep it. */
    let userinfo: { readonly username: string; readonly password: string } | undefined;
    for (let hop = 0; ; hop++) {
      const target = new URL(url);
      if (target.username !== '' || target.password !== '') {
        const user = decodeURIComponent(target.username);
        const password = decodeURIComponent(target.password);
        authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
        userinfo = { username: target.username, password: target.password };
        target.username = '';
        target.password = '';
        url = target.toString();
      }
      this.#guard.checkUrl(target);
      const form = encodeForm(params);
      let requestUrl = url;
      let body: string | undefined;
      let signed: string | undefined;
      if (method === 'GET') {
        if (form) requestUrl = `${url}${target.search ? '&' : '?'}${form}`;
        signed = req.authToken !== undefined ? signatureBase(requestUrl) : undefined;
      } else {
        body = form;
        signed = req.authToken !== undefined ? signatureBase(url, params) : undefined;
      }
      const signature = signed !== undefined && req.authToken !== undefined ? sign(req.authToken, signed) : undefined;
      const headers: Record<string, string> = { 'user-agent': this.#userAgent, accept: 'text/xml, application/xml, text/html, text/plain, audio/*, */*;q=0.5' };
      if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
      if (signature !== undefined) {
        headers['x-twilio-signature'] = signature;
        headers['x-signalwire-signature'] = signature;
      }
      if (authorize && authorization !== undefined) headers.authorization = authorization;
      const cookie = req.cookies?.header(target);
      if (cookie) headers.cookie = cookie;
      const remaining = Math.max(1, Math.floor(deadline - performance.now()));
      // A timer of our own, cleared when the hop is done: AbortSignal.timeout costs a
      // weakly held timer per request that lingers until collected (bench/sip).
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(new DOMException('the total timeout passed', 'TimeoutError')), remaining);
      timer.unref();
      try {
        const res = await request(requestUrl, {
          method,
          headers,
          ...(body !== undefined ? { body } : {}),
          dispatcher: this.#agent(overrides.ct),
          headersTimeout: Math.min(overrides.rt, remaining),
          bodyTimeout: overrides.rt,
          signal: timeout.signal,
        });
        req.cookies?.store(target, res.headers['set-cookie']);
        if (res.statusCode === 401 && authorization !== undefined && !authorize) {
          await res.body.dump();
          authorize = true;
          hop--;
          continue;
        }
        if (REDIRECTS.has(res.statusCode)) {
          await res.body.dump();
          const location = res.headers.location;
          if (typeof location !== 'string' || location === '') throw new WebhookError('protocol', `redirect ${res.statusCode} without a Location`, url, res.statusCode);
          if (hop + 1 > this.#maxRedirects) throw new WebhookError('too-many-redirects', `more than ${this.#maxRedirects} redirects`, startUrl, res.statusCode);
          const next = new URL(location, url);
          // Credentials are for the origin they were given with.
          if (next.origin !== target.origin) authorization = userinfo = undefined;
          url = next.toString();
          if (res.statusCode !== 307 && res.statusCode !== 308) {
            // Only 307 and 308 repeat the request; otherwise the Location is asked as it is,
            // without the parameters again (SEM-G9: Digits are not resent), and a POST becomes a GET.
            if (res.statusCode === 303 || method === 'POST') method = 'GET';
            params = {};
          }
          continue;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of res.body) {
          size += (chunk as Buffer).length;
          if (size > this.#maxBody && req.expectDocument) {
            res.body.destroy();
            throw new WebhookError('body-too-large', `the response is larger than ${this.#maxBody} bytes`, url, res.statusCode);
          }
          if (size <= this.#maxBody) chunks.push(chunk as Buffer);
        }
        const contentType = String(res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (res.statusCode < 200 || res.statusCode >= 300) {
          throw new WebhookError('http-status', `HTTP ${res.statusCode}`, url, res.statusCode);
        }
        const responseBody = Buffer.concat(chunks);
        if (req.expectDocument && responseBody.length === 0) throw new WebhookError('empty-body', 'the response body is empty', url, res.statusCode);
        return { url: withUserinfo(url, userinfo), status: res.statusCode, contentType, body: responseBody, signed, signature };
      } finally {
        clearTimeout(timer);
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#dispatchers.values()].map((d) => d.close()));
    this.#dispatchers.clear();
  }
}

function withUserinfo(url: string, userinfo: { readonly username: string; readonly password: string } | undefined): string {
  if (userinfo === undefined) return url;
  const shown = new URL(url);
  shown.username = userinfo.username;
  shown.password = userinfo.password;
  return shown.toString();
}

/**
 * The web application of an end-to-end test: it answers Dialtone's webhooks with documents
 * set by path, serves audio files, and records every webhook it got so a test can assert
 * what reached the application.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';

export interface Hit {
  readonly method: string;
  readonly path: string;
  /** The form body of a POST, the query of a GET. */
  readonly params: Record<string, string>;
  /** Whether X-Twilio-Signature checks out; only with `authToken`. */
  readonly signatureValid?: boolean;
  /** The Cookie header, when the request had one. */
  readonly cookie?: string;
}

/** A document with a status other than 200, or one the application thinks about before sending. */
export interface AppDocument {
  readonly body: string;
  readonly status?: number;
  readonly delayMs?: number;
  /** A Set-Cookie header to send with it. */
  readonly setCookie?: string;
  /** A Location header (with a 3xx status: a redirect). */
  readonly location?: string;
  /** Its content type, when not the app's. */
  readonly contentType?: string;
}

/** What a path answers: a document, or a function that makes one on each request (to count or vary fetches). */
export type DocumentSource = string | AppDocument | (() => string | AppDocument);

export interface WebAppOptions {
  /** What a path without a document gets: a status with an empty body, or a document. Default: `<Response><Hangup/></Response>`. */
  readonly missing?: number | string;
  /** The content type of documents (Apifonica's own examples use text/plain). Default text/xml. */
  readonly contentType?: string;
  /** The account's auth token, to check each webhook's signature. */
  readonly authToken?: string;
}

export interface HitOptions {
  /** Only webhooks this accepts count. */
  readonly where?: (hit: Hit) => boolean;
  /** Which matching webhook, from 1; default the first. */
  readonly nth?: number;
  readonly timeoutMs?: number;
  /** More to say when none came (the Dialtone's output). */
  readonly context?: () => string;
}

export interface WebApp {
  /** http://127.0.0.1:port */
  readonly base: string;
  /** Every webhook, in arrival order (audio downloads are not recorded). */
  readonly hits: Hit[];
  /** The document for each path; a test may set them before it calls. */
  readonly documents: Map<string, DocumentSource>;
  /** WAV bytes served as audio/wav by path. */
  readonly wavs: Map<string, Buffer>;
  /** The first (or `nth`) webhook to `path` that `where` accepts, waiting for it up to `timeoutMs` (default 20 s); the error names `context()`. */
  hit(path: string, options?: HitOptions): Promise<Hit>;
  close(): Promise<void>;
}

export async function startWebApp(options: WebAppOptions = {}): Promise<WebApp> {
  const hits: Hit[] = [];
  const documents = new Map<string, DocumentSource>();
  const wavs = new Map<string, Buffer>();
  let base = '';
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base);
      const wav = wavs.get(url.pathname);
      if (wav) {
        res.setHeader('content-type', 'audio/wav');
        res.end(wav);
        return;
      }
      const params = req.method === 'GET' ? Object.fromEntries(url.searchParams) : Object.fromEntries(new URLSearchParams(body));
      // Twilio signs a GET's URL alone (its query is in the URL); a POST's URL and form body.
      const signed = req.method === 'GET' ? {} : params;
      const signature =
        options.authToken === undefined
          ? {}
          : { signatureValid: twilio.validateRequest(options.authToken, String(req.headers['x-twilio-signature']), `${base}${req.url}`, signed) };
      const cookie = req.headers.cookie === undefined ? {} : { cookie: req.headers.cookie };
      hits.push({ method: req.method ?? 'GET', path: url.pathname, params, ...signature, ...cookie });
      const source = documents.get(url.pathname) ?? (typeof options.missing === 'number' ? undefined : options.missing ?? '<Response><Hangup/></Response>');
      const found = typeof source === 'function' ? source() : source;
      const doc = typeof found === 'string' ? { body: found } : found;
      setTimeout(() => {
        if (doc) {
          res.statusCode = doc.status ?? 200;
          res.setHeader('content-type', doc.contentType ?? options.contentType ?? 'text/xml');
          if (doc.setCookie !== undefined) res.setHeader('set-cookie', doc.setCookie);
          if (doc.location !== undefined) res.setHeader('location', doc.location);
        } else {
          res.statusCode = typeof options.missing === 'number' ? options.missing : 404;
        }
        res.end(doc?.body ?? '');
      }, doc?.delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function hit(path: string, { where = () => true, nth = 1, timeoutMs = 20_000, context = () => '' }: HitOptions = {}): Promise<Hit> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = hits.filter((h) => h.path === path && where(h))[nth - 1];
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(`no request ${nth} to ${path} in ${timeoutMs} ms; got ${hits.map((h) => `${h.method} ${h.path}`).join(', ')}\n${context()}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  return {
    base,
    hits,
    documents,
    wavs,
    hit,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

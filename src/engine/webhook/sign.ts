/**
 * Twilio's webhook signature, `X-Twilio-Signature` (SignalWire sends the same value as
 * `X-SignalWire-Signature`): base64(HMAC-SHA1(authToken, url + each POST parameter as
 * name + value, sorted by name)). Pure functions: the webhook client signs with
 * `signatureBase` + `sign`, and the timeline shows the exact string that was signed.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Form parameters as sent: a name may repeat (`StatusCallbackEvent`, `Media`). */
export type FormParams = Readonly<Record<string, string | readonly string[]>>;

/**
 * The string that is signed: the URL exactly as requested, then the parameters sorted
 * by name (byte order), each `name + value`; a repeated name contributes each of its
 * distinct values in sorted order, as twilio-node's validator expects.
 */
export function signatureBase(url: string, params: FormParams = {}): string {
  let base = url;
  for (const name of Object.keys(params).sort(byteOrder)) {
    const value = params[name]!;
    const values = typeof value === 'string' ? [value] : [...new Set(value)].sort(byteOrder);
    for (const v of values) base += name + v;
  }
  return base;
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** base64(HMAC-SHA1(authToken, base)). */
export function sign(authToken: string, base: string): string {
  return createHmac('sha1', authToken).update(base, 'utf8').digest('base64');
}

/** The signature of a form-encoded (or GET) request. */
export function twilioSignature(authToken: string, url: string, params: FormParams = {}): string {
  return sign(authToken, signatureBase(url, params));
}

/** The URL to sign for a JSON body: the body's SHA-256 rides in the query as `bodySHA256`. */
export function urlWithBodyHash(url: string, body: string | Uint8Array): string {
  const hash = createHash('sha256').update(body).digest('hex');
  return `${url}${url.includes('?') ? '&' : '?'}bodySHA256=${hash}`;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The URL with its default port written out, and without it; receivers sign either. */
function portVariants(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  const defaultPort = parsed.protocol === 'https:' ? '443' : parsed.protocol === 'http:' ? '80' : undefined;
  if (defaultPort === undefined) return [url];
  const authority = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/i.exec(url);
  if (!authority) return [url];
  const [, scheme, host, rest] = authority as unknown as [string, string, string, string];
  const hasPort = /:\d+$/.test(host.replace(/^.*@/, '').replace(/^\[.*\]/, ''));
  const withPort = hasPort ? url : `${scheme}${host}:${defaultPort}${rest}`;
  const withoutPort = hasPort && host.endsWith(`:${defaultPort}`) ? `${scheme}${host.slice(0, -defaultPort.length - 1)}${rest}` : url;
  return [...new Set([url, withPort, withoutPort])];
}

/**
 * Checks a received signature the way twilio-node does: the URL with and without its
 * default port; for a JSON body, the `bodySHA256` in the URL must match the body.
 */
export function validateTwilioSignature(
  authToken: string,
  signature: string,
  url: string,
  params: FormParams | { readonly rawBody: string | Uint8Array },
): boolean {
  if ('rawBody' in params && !Array.isArray(params.rawBody) && (typeof params.rawBody === 'string' || params.rawBody instanceof Uint8Array)) {
    const claimed = /[?&]bodySHA256=([0-9a-f]{64})(?:&|$)/i.exec(url)?.[1];
    const actual = createHash('sha256').update(params.rawBody).digest('hex');
    if (claimed === undefined || !safeEqual(claimed.toLowerCase(), actual)) return false;
    return portVariants(url).some((u) => safeEqual(twilioSignature(authToken, u), signature));
  }
  const form = params as FormParams;
  return portVariants(url).some((u) => safeEqual(twilioSignature(authToken, u, form), signature));
}

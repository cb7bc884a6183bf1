/**
 * Errors of audio decoding and audio fetching. Each carries a stable `code` to
 * branch on and the Twilio error code (`twilioCode`) the engine reports when a
 * `<Play>` fails: 13420 "Play: Invalid Content-Type" for anything that is not
 * audio we can play, the 11200 family when the HTTP fetch fails. The engine
 * logs the error and moves on to the next verb.
 */

/**
 * Why a file could not be decoded. Never reuse a retired code for another meaning.
 * - `unrecognized`: neither the Content-Type nor the first bytes name a format we play.
 * - `invalid-content-type`: the server said the body is not audio (text/html, XML, JSON…).
 * - `unsupported-encoding`: a known container holding an encoding we do not decode
 *   (ADPCM WAV, 12-bit PCM, RF64…).
 * - `corrupt`: the container is malformed or the decoder found no audio in it.
 */
export type AudioDecodeErrorCode = 'unrecognized' | 'invalid-content-type' | 'unsupported-encoding' | 'corrupt';

/** Twilio's "Play: Invalid Content-Type": the URL did not return audio we can play. */
export const TWILIO_PLAY_INVALID_CONTENT_TYPE = 13420;

export class AudioDecodeError extends Error {
  override readonly name = 'AudioDecodeError';
  readonly code: AudioDecodeErrorCode;
  /** Always 13420: to a TwiML application every undecodable body is "not audio". */
  readonly twilioCode = TWILIO_PLAY_INVALID_CONTENT_TYPE;

  constructor(code: AudioDecodeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Why fetching an audio URL failed. Never reuse a retired code for another meaning.
 * - `invalid-url`: not an absolute http(s) URL (Twilio 11100).
 * - `http-status`: the server answered 4xx/5xx (11200; `status` says which).
 * - `dns`: the host name did not resolve (11210).
 * - `connection`: refused, reset, or timed out (11205).
 * - `tls`: the TLS handshake or certificate check failed (11220).
 * - `protocol`: a malformed HTTP response (11206).
 * - `too-many-redirects` (11215), `invalid-redirect` (11216).
 * - `too-large`: the body exceeds the configured limit (11200).
 * - `aborted`: the caller's signal aborted the fetch (11200).
 */
export type AudioFetchErrorCode =
  | 'invalid-url'
  | 'http-status'
  | 'dns'
  | 'connection'
  | 'tls'
  | 'protocol'
  | 'too-many-redirects'
  | 'invalid-redirect'
  | 'too-large'
  | 'aborted';

const FETCH_TWILIO_CODES: Readonly<Record<AudioFetchErrorCode, number>> = Object.freeze({
  'invalid-url': 11100,
  'http-status': 11200,
  dns: 11210,
  connection: 11205,
  tls: 11220,
  protocol: 11206,
  'too-many-redirects': 11215,
  'invalid-redirect': 11216,
  'too-large': 11200,
  aborted: 11200,
});

export class AudioFetchError extends Error {
  override readonly name = 'AudioFetchError';
  readonly code: AudioFetchErrorCode;
  readonly twilioCode: number;
  readonly url: string;
  /** The HTTP status, for `http-status`. */
  readonly status: number | undefined;

  constructor(code: AudioFetchErrorCode, url: string, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.url = url;
    this.status = options?.status;
    this.twilioCode = FETCH_TWILIO_CODES[code];
  }
}

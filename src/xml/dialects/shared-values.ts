/**
 * Value specs and platform sets that several dialect tables share. Plain data, spread
 * into the tables (`{ ...POST_METHOD, detail: 13210 }`).
 */

/** An HTTP method for an action or callback URL; any case is read, the listed spelling kept. */
export const HTTP_METHOD = { type: 'enum', values: ['GET', 'POST'], caseInsensitive: true } as const;

/** The usual `method` attribute: GET or POST, POST when absent. */
export const POST_METHOD = { ...HTTP_METHOD, default: 'POST' } as const;

/** An upload method for storage URLs (SignalWire `storageUrlMethod`). */
export const UPLOAD_METHOD = { type: 'enum', values: ['POST', 'PUT'], caseInsensitive: true } as const;

export const URL_VALUE = { type: 'url' } as const;
export const TEXT_VALUE = { type: 'string' } as const;
export const BOOL_VALUE = { type: 'bool' } as const;

/** DTMF to send: 0-9, A-D, `#`, `*`, `w` (0.5 s pause), `W` (1 s pause). */
export const DTMF_STRING = /^[0-9A-Da-d#*wW]*$/;
/** One key, or empty to disable (`<Gather finishOnKey>`). */
export const ONE_KEY = /^[0-9#*]?$/;
/** A set of keys, or empty to disable (`<Record finishOnKey>`). */
export const KEY_SET = /^[0-9#*]*$/;

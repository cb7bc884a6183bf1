/**
 * `message/sipfrag` bodies (RFC 3420), as NOTIFYs of the `refer` event package carry them
 * (RFC 3515 §2.4.5): a fragment of a SIP message, in practice a status line
 * (`SIP/2.0 180 Ringing`), sometimes followed by header lines. Only the status line
 * matters to a transfer; it says how the INVITE the referee sent is doing.
 *
 * Pure; parsing never throws.
 */

/** The status line of a sipfrag. */
export interface SipfragStatus {
  readonly status: number;
  readonly reason: string;
}

const STATUS_LINE = /^SIP\/2\.0[ \t]+([1-6]\d\d)(?:[ \t]+([^\r\n]*))?$/i;

/**
 * The status line a sipfrag starts with; `undefined` when the body does not start with
 * one (a request fragment, or something else).
 */
export function parseSipfragStatus(body: string): SipfragStatus | undefined {
  const first = body.replace(/^[\r\n]+/, '').split(/\r?\n/, 1)[0] ?? '';
  const match = STATUS_LINE.exec(first.trim());
  if (match === null) return undefined;
  return { status: Number(match[1]), reason: (match[2] ?? '').trim() };
}

/** A sipfrag of one status line, as a NOTIFY we send would carry it. */
export function formatSipfragStatus(status: number, reason: string): string {
  return `SIP/2.0 ${status} ${reason}\r\n`;
}

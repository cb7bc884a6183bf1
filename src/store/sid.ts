import { randomBytes } from 'node:crypto';

/** Twilio's resource prefixes, as its clients and users recognise them. */
export type SidPrefix = 'AC' | 'AP' | 'PN' | 'CA' | 'RE' | 'SM' | 'MM' | 'SK' | 'TK' | 'CF' | 'QU' | 'CR';

/** A 34-character SID: the prefix and 32 lower-case hex digits. */
export function newSid(prefix: SidPrefix): string {
  return prefix + randomBytes(16).toString('hex');
}

export function isSid(value: string, prefix?: SidPrefix): boolean {
  return /^[A-Z]{2}[0-9a-f]{32}$/.test(value) && (prefix === undefined || value.startsWith(prefix));
}

/** A new auth token: 32 hex digits, like Twilio's. */
export function newAuthToken(): string {
  return randomBytes(16).toString('hex');
}

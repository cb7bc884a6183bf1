/** Wire details shared by every resource: dates, formatted numbers, URIs. */

/** `Tue, 31 Aug 2010 20:36:28 +0000`: what Twilio sends and every client parses. */
export function rfc2822(iso: string): string;
export function rfc2822(iso: string | null): string | null;
export function rfc2822(iso: string | null): string | null {
  if (iso === null) return null;
  const s = new Date(iso).toUTCString();
  return `${s.slice(0, -3)}+0000`;
}

/** North American numbers as `(415) 867-5309`, like Twilio; anything else unchanged. */
export function formatted(number: string): string {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(number);
  return m ? `(${m[1]}) ${m[2]}-${m[3]}` : number;
}

/** Where one account's resources live under a mount (`/2010-04-01` or `/api/laml/2010-04-01`). */
export function accountPath(base: string, accountSid: string): string {
  return `${base}/Accounts/${accountSid}`;
}

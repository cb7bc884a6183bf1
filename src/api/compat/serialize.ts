/** Wire details shared by every resource: dates, formatted numbers, URIs. */

/** `Tue, 31 Aug 2010 20:36:28 +0000`: what Twilio sends and every client parses. */
export function rfc2822(iso: string): string;
export function rfc2822(iso: string | null): string | null;
export function rfc2822(iso: string | null): string | null {
  if (iso === null) return null;
  // Store times are `YYYY-MM-DDTHH:MM:SS.sssZ`: rearranged as text, only the weekday is computed
  // (a page of calls formats hundreds of dates; parsing each one was most of the cost).
  if (iso.length >= 20 && iso[10] === 'T' && iso.endsWith('Z')) {
    const day = iso.slice(0, 10);
    if (day !== lastDay) {
      lastWeekday = new Date(`${day}T00:00:00Z`).getUTCDay();
      lastDay = day;
    }
    const month = MONTHS[Number(iso.slice(5, 7)) - 1];
    const weekday = DAYS[lastWeekday];
    if (month !== undefined && weekday !== undefined) return `${weekday}, ${iso.slice(8, 10)} ${month} ${iso.slice(0, 4)} ${iso.slice(11, 19)} +0000`;
  }
  const s = new Date(iso).toUTCString();
  return `${s.slice(0, -3)}+0000`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
let lastDay = '';
let lastWeekday = 0;

/** North American numbers as `(415) 867-5309`, like Twilio; anything else unchanged. */
export function formatted(number: string): string {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(number);
  return m ? `(${m[1]}) ${m[2]}-${m[3]}` : number;
}

/** Where one account's resources live under a mount (`/2010-04-01` or `/api/laml/2010-04-01`). */
export function accountPath(base: string, accountSid: string): string {
  return `${base}/Accounts/${accountSid}`;
}

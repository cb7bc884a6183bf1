import { invalidParameter } from './errors.js';
import { one, type Params } from './params.js';

/**
 * A time filter: `YYYY-MM-DD` means that UTC day (on it, on or before it, on or after
 * it); a full date-time (what twilio-node sends) bounds at that instant.
 */
export function timeBounds(params: Params, name: string): { after?: string; before?: string } {
  const out: { after?: string; before?: string } = {};
  const parse = (key: string): { start: string; end: string } | undefined => {
    const raw = one(params, key);
    if (raw === undefined || raw === '') return undefined;
    if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) {
      const start = Date.parse(`${raw}T00:00:00Z`);
      if (Number.isNaN(start)) throw invalidParameter(key, `is not a date: ${raw}`);
      return { start: new Date(start).toISOString(), end: new Date(start + 86_400_000 - 1).toISOString() };
    }
    const at = Date.parse(raw);
    if (Number.isNaN(at) || !/^\d{4}-\d{2}-\d{2}T/.test(raw)) throw invalidParameter(key, `is not a date (YYYY-MM-DD) or an ISO 8601 date-time: ${raw}`);
    const iso = new Date(at).toISOString();
    return { start: iso, end: iso };
  };
  const on = parse(name);
  if (on) {
    // A date-time in the equals filter still means its day: Twilio filters these by date.
    const day = on.start.slice(0, 10);
    out.after = `${day}T00:00:00.000Z`;
    out.before = `${day}T23:59:59.999Z`;
  }
  const before = parse(`${name}<`);
  if (before) out.before = before.end;
  const after = parse(`${name}>`);
  if (after) out.after = after.start;
  return out;
}


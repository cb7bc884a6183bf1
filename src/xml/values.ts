import type { ValueSpec } from './spec.js';

/** Why a text was refused; allocated only on failure, so reading a valid value allocates nothing. */
export class Refusal {
  constructor(readonly reason: string) {}
}

/** Reads a raw attribute (or text) into its typed value, or a Refusal. */
export type ValueReader = (raw: string) => unknown;

const INT = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)$/;

const ok = <T>(value: T): T => value;
const refused = (reason: string): Refusal => new Refusal(reason);

function range(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return '';
}

/**
 * Builds the reader for one value spec, once per dialect (see compile.ts), so that
 * reading an attribute is a closure call and a regex test, not a switch on its kind.
 */
export function valueReader(spec: ValueSpec): ValueReader {
  switch (spec.type) {
    case 'string': {
      const { pattern, maxLength } = spec;
      return (raw) => {
        if (maxLength !== undefined && raw.length > maxLength) {
          return refused(`is longer than ${maxLength} characters`);
        }
        if (pattern && !pattern.test(raw)) return refused(`does not match ${pattern.source}`);
        return ok(raw);
      };
    }
    case 'url':
      return (raw) => {
        const url = raw.trim();
        if (url === '') return refused('is an empty URL');
        if (/\s/.test(url)) return refused('is not a URL (it contains white space)');
        return ok(url);
      };
    case 'int': {
      const { min, max, also } = spec;
      const words = also ? new Set(also) : undefined;
      const expected = `a whole number${range(min, max)}${also ? ` or ${also.map((w) => `"${w}"`).join(', ')}` : ''}`;
      return (raw) => {
        const text = raw.trim();
        if (words?.has(text)) return ok(text);
        if (!INT.test(text)) return refused(`is not ${expected}`);
        const n = Number(text);
        if ((min !== undefined && n < min) || (max !== undefined && n > max)) return refused(`is not ${expected}`);
        return ok(n);
      };
    }
    case 'number': {
      const { min, max } = spec;
      const expected = `a number${range(min, max)}`;
      return (raw) => {
        const text = raw.trim();
        if (!NUMBER.test(text)) return refused(`is not ${expected}`);
        const n = Number(text);
        if ((min !== undefined && n < min) || (max !== undefined && n > max)) return refused(`is not ${expected}`);
        return ok(n);
      };
    }
    case 'bool':
      return (raw) => {
        const text = raw.trim().toLowerCase();
        if (text === 'true') return ok(true);
        if (text === 'false') return ok(false);
        return refused('is not true or false');
      };
    case 'enum': {
      const exact = new Map<string, string>();
      for (const v of spec.values) exact.set(spec.caseInsensitive ? v.toLowerCase() : v, v);
      for (const [alias, v] of Object.entries(spec.aliases ?? {})) {
        exact.set(spec.caseInsensitive ? alias.toLowerCase() : alias, v);
      }
      const fold = spec.caseInsensitive === true;
      const expected = `one of ${spec.values.join(', ')}`;
      return (raw) => {
        const text = raw.trim();
        const v = exact.get(fold ? text.toLowerCase() : text);
        return v === undefined ? refused(`is not ${expected}`) : ok(v);
      };
    }
    case 'list': {
      const allowed = new Set(spec.values);
      const separator = spec.separator ?? ' ';
      return (raw) => {
        const items = raw
          .split(separator === ' ' ? /\s+/ : separator)
          .map((s) => s.trim())
          .filter((s) => s !== '');
        for (const item of items) {
          if (!allowed.has(item)) return refused(`has "${item}", which is not one of ${spec.values.join(', ')}`);
        }
        return ok(items);
      };
    }
  }
}

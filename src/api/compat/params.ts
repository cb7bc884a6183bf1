import { ApiError } from '../errors.js';
import { invalid, invalidParameter } from './errors.js';

/**
 * Request parameters as lists of strings, whether they came form-encoded (a repeated key
 * is an array) or as JSON (numbers and booleans become their text), or in the query.
 */
export type Params = ReadonlyMap<string, readonly string[]>;

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function readParams(source: unknown): Params {
  const out = new Map<string, string[]>();
  if (source === undefined || source === null || source === '') return out;
  if (typeof source !== 'object' || Array.isArray(source)) throw new ApiError(400, 20001, 'The request body must be form-encoded parameters or a JSON object');
  for (const [key, value] of Object.entries(source as Record<string, unknown>)) {
    const values = Array.isArray(value) ? value : [value];
    const strings: string[] = [];
    for (const v of values) {
      const s = scalar(v);
      if (s === undefined) {
        if (v === null) continue;
        throw invalidParameter(key, 'must be text, a number, a boolean or a list of them');
      }
      strings.push(s);
    }
    out.set(key, strings);
  }
  return out;
}

/** The first value of a parameter; a repeated scalar keeps its first value. */
export function one(params: Params, name: string): string | undefined {
  return params.get(name)?.[0];
}

export function many(params: Params, name: string): readonly string[] {
  return params.get(name) ?? [];
}

const E164 = /^\+[1-9]\d{1,14}$/;

export function isE164(value: string): boolean {
  return E164.test(value);
}

export function isHttpUrl(value: string): boolean {
  if (!/^https?:\/\//i.test(value)) return false;
  try {
    return new URL(value).host !== '';
  } catch {
    return false;
  }
}

/** An optional URL parameter: absent → undefined, empty → null (Twilio's way to clear it). */
export function optionalUrl(params: Params, name: string, code = 21502): string | null | undefined {
  const value = one(params, name);
  if (value === undefined) return undefined;
  if (value === '') return null;
  if (!isHttpUrl(value)) throw invalid(code, `${name} is not a valid URL: ${value}`);
  return value;
}

export function optionalMethod(params: Params, name: string): 'GET' | 'POST' | undefined {
  const value = one(params, name);
  if (value === undefined || value === '') return undefined;
  const upper = value.toUpperCase();
  if (upper !== 'GET' && upper !== 'POST') throw invalidParameter(name, `must be GET or POST, not ${value}`);
  return upper;
}

export function optionalBoolean(params: Params, name: string): boolean | undefined {
  const value = one(params, name);
  if (value === undefined || value === '') return undefined;
  if (/^true$/i.test(value)) return true;
  if (/^false$/i.test(value)) return false;
  throw invalidParameter(name, `must be true or false, not ${value}`);
}

/** A length-limited text parameter. */
export function optionalText(params: Params, name: string, max = 64): string | undefined {
  const value = one(params, name);
  if (value !== undefined && value.length > max) throw invalidParameter(name, `must be at most ${max} characters`);
  return value;
}

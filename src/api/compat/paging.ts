import type { FastifyRequest } from 'fastify';
import type { PageQuery } from '../../store/index.js';
import { invalidParameter } from './errors.js';
import { one, type Params } from './params.js';
import { pathOf } from '../principal.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** A row's place in a listing: its creation time and SID. */
export interface Position {
  readonly dateCreated: string;
  readonly sid: string;
}

/** What a list request asked for: `Page` is the client's count, `PageToken` the real cursor. */
export interface PageRequest {
  readonly page: number;
  readonly pageSize: number;
  /** `PA…` continues after a row, `PB…` goes back before one. */
  readonly token?: { readonly direction: 'after' | 'before'; readonly position: Position };
}

const PAGING_KEYS = new Set(['Page', 'PageSize', 'PageToken']);

function integer(params: Params, name: string, min: number, max: number, fallback: number): number {
  const raw = one(params, name);
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw invalidParameter(name, `must be a whole number, not ${raw}`);
  const n = Number(raw);
  if (n < min || n > max) throw invalidParameter(name, `must be between ${min} and ${max}`);
  return n;
}

/** `PA` or `PB`, the row's SID, and its creation time in epoch milliseconds, so a token outlives its row. */
export function pageToken(direction: 'after' | 'before', position: Position): string {
  return `${direction === 'after' ? 'PA' : 'PB'}${position.sid}_${Date.parse(position.dateCreated)}`;
}

function parseToken(raw: string): PageRequest['token'] {
  const m = /^(PA|PB)([A-Za-z0-9-]{1,64})_(\d{1,15})$/.exec(raw);
  if (!m) throw invalidParameter('PageToken', 'is not a token this server gave out');
  const ms = Number(m[3]);
  return { direction: m[1] === 'PA' ? 'after' : 'before', position: { sid: m[2]!, dateCreated: new Date(ms).toISOString() } };
}

export function readPageRequest(params: Params): PageRequest {
  const pageSize = integer(params, 'PageSize', 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE);
  const page = integer(params, 'Page', 0, 1_000_000, 0);
  const raw = one(params, 'PageToken');
  const token = raw === undefined || raw === '' ? undefined : parseToken(raw);
  return token ? { page, pageSize, token } : { page, pageSize };
}

/**
 * The store query for a page. One row more than the page is asked for going forward,
 * so that the last page knows it is the last (and has no `next_page_uri`).
 */
export function storeQuery(request: PageRequest): PageQuery {
  const { token, pageSize, page } = request;
  if (token?.direction === 'before') return { limit: pageSize, before: token.position };
  if (token?.direction === 'after') return { limit: pageSize + 1, after: token.position };
  return { limit: pageSize + 1, offset: page * pageSize };
}

/**
 * Pages an in-memory listing (numbers, applications, keys: few per account) the way the
 * store pages calls, on rows already in listing order.
 */
export function pageInMemory<T extends Position>(rows: readonly T[], query: PageQuery, compare: (a: Position, b: Position) => number): T[] {
  const { after, before } = query;
  if (before !== undefined) {
    const earlier = rows.filter((r) => compare(r, before) < 0);
    return earlier.slice(Math.max(0, earlier.length - query.limit));
  }
  const from = after !== undefined ? rows.filter((r) => compare(r, after) > 0) : rows.slice(query.offset ?? 0);
  return from.slice(0, query.limit);
}

/** Oldest first, then by SID. */
export function oldestFirst(a: Position, b: Position): number {
  return a.dateCreated < b.dateCreated ? -1 : a.dateCreated > b.dateCreated ? 1 : a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0;
}

export interface Envelope {
  readonly [key: string]: unknown;
}

/**
 * Twilio's list envelope: one list key, relative URIs that keep the request's filters,
 * `next_page_uri` null on the last page and `previous_page_uri` null on the first.
 */
export function envelope<T extends Position>(
  request: FastifyRequest,
  params: Params,
  pageRequest: PageRequest,
  key: string,
  fetched: readonly T[],
  serialize: (row: T) => unknown,
): Envelope {
  const { pageSize, page, token } = pageRequest;
  const backwards = token?.direction === 'before';
  const hasMore = backwards || fetched.length > pageSize;
  const rows = fetched.length > pageSize ? fetched.slice(0, pageSize) : fetched;
  const path = pathOf(request);
  const filters: string[] = [];
  for (const [name, values] of params) {
    if (PAGING_KEYS.has(name)) continue;
    for (const v of values) filters.push(`${encodeURIComponent(name)}=${encodeURIComponent(v)}`);
  }
  const uri = (p: number, t?: string): string => {
    const parts = [...filters, `PageSize=${pageSize}`, `Page=${p}`];
    if (t !== undefined) parts.push(`PageToken=${encodeURIComponent(t)}`);
    return `${path}?${parts.join('&')}`;
  };
  const first = rows[0];
  const last = rows[rows.length - 1];
  const start = page * pageSize;
  return {
    [key]: rows.map(serialize),
    end: rows.length > 0 ? start + rows.length - 1 : start,
    first_page_uri: uri(0),
    next_page_uri: hasMore && last ? uri(page + 1, pageToken('after', last)) : null,
    page,
    page_size: pageSize,
    previous_page_uri: page > 0 && first ? uri(page - 1, pageToken('before', first)) : null,
    start,
    uri: uri(page, token ? pageToken(token.direction, token.position) : undefined),
  };
}

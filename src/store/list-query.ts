import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database } from './schema.js';

/** A value a listed column is compared with: text, a number, or null (the column is empty). */
export type FilterValue = string | number | null;

/**
 * One page of an account's rows, filtered on columns (all filters must match), sorted
 * by one column, then by SID in the same direction so that equal values page stably.
 */
export interface ListQuery<Row> {
  readonly filters: readonly { readonly column: keyof Row & string; readonly value: FilterValue }[];
  readonly sort: { readonly column: keyof Row & string; readonly direction: 'asc' | 'desc' };
  readonly offset: number;
  readonly limit: number;
}

/** The rows of a page and how many rows all pages hold. */
export interface ListResult<T> {
  readonly rows: T[];
  readonly total: number;
}

/** Tables that belong to an account and have a SID key. */
export type AccountTable = 'calls' | 'messages' | 'phone_numbers' | 'applications' | 'api_keys' | 'recordings' | 'trunks';

// The columns come from callers' typed field tables, never from a request as such; the
// query builder is loosened to one row shape so a single function serves every table.
type Loose = Kysely<Record<AccountTable, Record<string, FilterValue> & { sid: string; account_sid: string }>>;

export async function runListQuery<T extends AccountTable, O>(
  kysely: Kysely<Database>,
  table: T,
  accountSid: string,
  query: ListQuery<Database[T]>,
  map: (row: Database[T]) => O,
): Promise<ListResult<O>> {
  const db = kysely as unknown as Loose;
  let base = db.selectFrom(table as AccountTable).where('account_sid', '=', accountSid);
  for (const { column, value } of query.filters) {
    const ref = db.dynamic.ref<string>(column);
    base = value === null ? base.where(ref, 'is', null) : base.where(ref, '=', value);
  }
  const counted = await base.select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).executeTakeFirst();
  const total = Number(counted?.n ?? 0);
  if (total === 0 || query.offset >= total) return { rows: [], total };
  const { column, direction } = query.sort;
  let q = base.selectAll().orderBy(db.dynamic.ref<string>(column), direction);
  if (column !== 'sid') q = q.orderBy('sid', direction);
  const rows = await q.limit(query.limit).offset(query.offset).execute();
  return { rows: rows.map((r) => map(r as unknown as Database[T])), total };
}

/** A position in a newest-first listing: the row a page ended (or began) on. */
export interface PageCursor {
  readonly dateCreated: string;
  readonly sid: string;
}

/**
 * One page of a newest-first listing: `limit` rows older than `after`, or the `limit`
 * rows just newer than `before` (a previous page), or from `offset` when no cursor is given.
 */
export interface PageQuery {
  readonly limit: number;
  readonly after?: PageCursor | undefined;
  readonly before?: PageCursor | undefined;
  readonly offset?: number | undefined;
}

// Every table paged this way has `date_created` and `sid`; the builder is loosened to
// those two columns so one function serves them all.
type Keyed<O> = SelectQueryBuilder<{ t: { date_created: string; sid: string } }, 't', O>;

/**
 * Pages a filtered selection newest first by keyset (`date_created`, then `sid`), which
 * stays stable while rows arrive; `before` reads the newer rows oldest first and turns
 * them round, so every page comes newest first.
 */
export async function pageNewestFirst<DB, TB extends keyof DB, O>(selection: SelectQueryBuilder<DB, TB, O>, page: PageQuery): Promise<O[]> {
  let q = selection as unknown as Keyed<O>;
  const { after, before } = page;
  if (before !== undefined) {
    q = q.where((eb) =>
      eb.or([eb('date_created', '>', before.dateCreated), eb.and([eb('date_created', '=', before.dateCreated), eb('sid', '>', before.sid)])]),
    );
    const rows = await q.orderBy('date_created', 'asc').orderBy('sid', 'asc').limit(page.limit).execute();
    return rows.reverse();
  }
  if (after !== undefined) {
    q = q.where((eb) =>
      eb.or([eb('date_created', '<', after.dateCreated), eb.and([eb('date_created', '=', after.dateCreated), eb('sid', '<', after.sid)])]),
    );
  }
  let ordered = q.orderBy('date_created', 'desc').orderBy('sid', 'desc').limit(page.limit);
  if (after === undefined && page.offset) ordered = ordered.offset(page.offset);
  return ordered.execute();
}

import type { Kysely, Selectable, SelectQueryBuilder, Updateable } from 'kysely';
import { pageNewestFirst, runListQuery, type ListQuery, type ListResult, type PageCursor, type PageQuery } from './list-query.js';
import { fixedQuery } from './fixed-query.js';
import { isoNow } from './now.js';
import { RecentRows } from './recent-rows.js';
import { isFinalCallStatus, type CallDirection, type CallsTable, type CallStatus, type Database } from './schema.js';
import { newSid } from './sid.js';

export interface Call {
  readonly sid: string;
  readonly accountSid: string;
  readonly parentCallSid: string | null;
  readonly phoneNumberSid: string | null;
  readonly from: string;
  readonly to: string;
  readonly callerName: string | null;
  readonly forwardedFrom: string | null;
  readonly direction: CallDirection;
  readonly status: CallStatus;
  readonly startTime: string | null;
  readonly endTime: string | null;
  readonly duration: number | null;
  readonly answeredBy: string | null;
  readonly apiVersion: string;
  readonly sipCallId: string | null;
  readonly dateCreated: string;
  readonly dateUpdated: string;
}

export type NewCall = Pick<Call, 'accountSid' | 'from' | 'to' | 'direction'> &
  Partial<Pick<Call, 'sid' | 'parentCallSid' | 'phoneNumberSid' | 'callerName' | 'forwardedFrom' | 'status' | 'sipCallId' | 'apiVersion'>>;

export type CallPatch = Partial<Pick<Call, 'status' | 'startTime' | 'endTime' | 'duration' | 'answeredBy' | 'sipCallId'>>;

export interface CallFilter {
  readonly to?: string;
  readonly from?: string;
  readonly status?: CallStatus;
  readonly parentCallSid?: string;
  /** ISO bounds on the start time, inclusive. */
  readonly startTimeAfter?: string;
  readonly startTimeBefore?: string;
  readonly endTimeAfter?: string;
  readonly endTimeBefore?: string;
}

function toCall(r: Selectable<CallsTable>): Call {
  return {
    sid: r.sid,
    accountSid: r.account_sid,
    parentCallSid: r.parent_call_sid,
    phoneNumberSid: r.phone_number_sid,
    from: r.from,
    to: r.to,
    callerName: r.caller_name,
    forwardedFrom: r.forwarded_from,
    direction: r.direction,
    status: r.status,
    startTime: r.start_time,
    endTime: r.end_time,
    duration: r.duration,
    answeredBy: r.answered_by,
    apiVersion: r.api_version,
    sipCallId: r.sip_call_id,
    dateCreated: r.date_created,
    dateUpdated: r.date_updated,
  };
}

/** Enough for the pages API clients poll (at most 1,000 calls each) several times over; about 1 KB each. */
const RECENT_CALLS = 5_000;
/**
 * A call's record is final once it ends: after that only deleting it changes anything.
 * Read this recently, a final record is answered without asking the database; a delete
 * made in this process shows at once, one made by another node within this time.
 */
const FINAL_TRUSTED_MS = 1_000;

export class CallsRepo {
  /**
   * A call's record changes a few times while it runs and never after, and API clients
   * read the same calls again and again (a dashboard polling the newest page). A listing
   * reads two columns a row and the rest of a row only when it changed: materialising
   * nineteen columns for fifty rows cost more than the whole bare HTTP answer (bench/api).
   */
  readonly #recent = new RecentRows<Call>(RECENT_CALLS);

  readonly #versionOf;
  readonly #versionInAccount;

  constructor(readonly db: Kysely<Database>) {
    this.#versionOf = fixedQuery<{ date_updated: string }>(1, (sid) => db.selectFrom('calls').select('date_updated').where('sid', '=', sid!));
    this.#versionInAccount = fixedQuery<{ date_updated: string }>(2, (sid, account) =>
      db.selectFrom('calls').select('date_updated').where('sid', '=', sid!).where('account_sid', '=', account!),
    );
  }

  async create(input: NewCall): Promise<Call> {
    const now = isoNow();
    const row: Selectable<CallsTable> = {
      sid: input.sid ?? newSid('CA'),
      account_sid: input.accountSid,
      parent_call_sid: input.parentCallSid ?? null,
      phone_number_sid: input.phoneNumberSid ?? null,
      from: input.from,
      to: input.to,
      caller_name: input.callerName ?? null,
      forwarded_from: input.forwardedFrom ?? null,
      direction: input.direction,
      status: input.status ?? 'queued',
      start_time: null,
      end_time: null,
      duration: null,
      answered_by: null,
      api_version: input.apiVersion ?? '2010-04-01',
      sip_call_id: input.sipCallId ?? null,
      date_created: now,
      date_updated: now,
    };
    await this.db.insertInto('calls').values(row).execute();
    return toCall(row);
  }

  async get(sid: string, accountSid?: string): Promise<Call | undefined> {
    const settled = this.#recent.readWithin(sid, FINAL_TRUSTED_MS);
    if (settled !== undefined && isFinalCallStatus(settled.status)) {
      return accountSid === undefined || settled.accountSid === accountSid ? settled : undefined;
    }
    if (this.#recent.has(sid)) {
      const version = accountSid === undefined ? this.#versionOf(sid) : this.#versionInAccount(sid, accountSid);
      const [row] = (await this.db.executeQuery(version)).rows;
      if (row === undefined) return undefined;
      const known = this.#recent.current(sid, row.date_updated);
      if (known !== undefined) {
        this.#recent.remember(known);
        return known;
      }
    }
    let q = this.db.selectFrom('calls').selectAll().where('sid', '=', sid);
    if (accountSid !== undefined) q = q.where('account_sid', '=', accountSid);
    const row = await q.executeTakeFirst();
    if (row === undefined) return undefined;
    const call = toCall(row);
    this.#recent.remember(call);
    return call;
  }

  async update(sid: string, patch: CallPatch): Promise<void> {
    const set: Updateable<CallsTable> = { date_updated: isoNow() };
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.startTime !== undefined) set.start_time = patch.startTime;
    if (patch.endTime !== undefined) set.end_time = patch.endTime;
    if (patch.duration !== undefined) set.duration = patch.duration;
    if (patch.answeredBy !== undefined) set.answered_by = patch.answeredBy;
    if (patch.sipCallId !== undefined) set.sip_call_id = patch.sipCallId;
    await this.db.updateTable('calls').set(set).where('sid', '=', sid).execute();
    this.#recent.forget(sid);
  }

  #filtered<O>(selection: SelectQueryBuilder<Database, 'calls', O>, accountSid: string, filter: CallFilter): SelectQueryBuilder<Database, 'calls', O> {
    let q = selection.where('account_sid', '=', accountSid);
    if (filter.to !== undefined) q = q.where('to', '=', filter.to);
    if (filter.from !== undefined) q = q.where('from', '=', filter.from);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    if (filter.parentCallSid !== undefined) q = q.where('parent_call_sid', '=', filter.parentCallSid);
    if (filter.startTimeAfter !== undefined) q = q.where('start_time', '>=', filter.startTimeAfter);
    if (filter.startTimeBefore !== undefined) q = q.where('start_time', '<=', filter.startTimeBefore);
    if (filter.endTimeAfter !== undefined) q = q.where('end_time', '>=', filter.endTimeAfter);
    if (filter.endTimeBefore !== undefined) q = q.where('end_time', '<=', filter.endTimeBefore);
    return q;
  }

  /** Newest first, `limit` rows after `after` (keyset paging: stable while calls arrive). */
  list(accountSid: string, filter: CallFilter = {}, limit = 50, after?: PageCursor): Promise<Call[]> {
    return this.page(accountSid, filter, { limit, after });
  }

  /** Like `list`, and also pages backwards (`before`) and by offset; rows come newest first. */
  async page(accountSid: string, filter: CallFilter, page: PageQuery): Promise<Call[]> {
    const versions = await pageNewestFirst(this.#filtered(this.db.selectFrom('calls').select(['sid', 'date_updated']), accountSid, filter), page);
    // Taken before the next await: other requests may push these out of memory meanwhile.
    const found = new Map<string, Call>();
    const changed: string[] = [];
    for (const v of versions) {
      const known = this.#recent.current(v.sid, v.date_updated);
      if (known !== undefined) found.set(v.sid, known);
      else changed.push(v.sid);
    }
    if (changed.length > 0) {
      for (const row of await this.db.selectFrom('calls').selectAll().where('sid', 'in', changed).execute()) {
        const call = toCall(row);
        found.set(call.sid, call);
        this.#recent.remember(call);
      }
    }
    // A row deleted between the two reads is left out; one changed between them comes as read last.
    const calls: Call[] = [];
    for (const v of versions) {
      const call = found.get(v.sid);
      if (call !== undefined) calls.push(call);
    }
    return calls;
  }

  /** Any column filtered, any column sorted, by offset, with the total (the native v1 API). */
  query(accountSid: string, query: ListQuery<CallsTable>): Promise<ListResult<Call>> {
    return runListQuery(this.db, 'calls', accountSid, query, toCall);
  }

  async remove(sid: string, accountSid: string): Promise<boolean> {
    const result = await this.db.deleteFrom('calls').where('sid', '=', sid).where('account_sid', '=', accountSid).executeTakeFirst();
    this.#recent.forget(sid);
    return Number(result.numDeletedRows) > 0;
  }
}

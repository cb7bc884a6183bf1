import type { Kysely, Selectable, Updateable } from 'kysely';
import { pageNewestFirst, runListQuery, type ListQuery, type ListResult, type PageCursor, type PageQuery } from './list-query.js';
import { isoNow } from './now.js';
import type { CallDirection, CallsTable, CallStatus, Database } from './schema.js';
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

export class CallsRepo {
  constructor(readonly db: Kysely<Database>) {}

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
    let q = this.db.selectFrom('calls').selectAll().where('sid', '=', sid);
    if (accountSid !== undefined) q = q.where('account_sid', '=', accountSid);
    const row = await q.executeTakeFirst();
    return row && toCall(row);
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
  }

  #filtered(accountSid: string, filter: CallFilter) {
    let q = this.db.selectFrom('calls').selectAll().where('account_sid', '=', accountSid);
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
    return (await pageNewestFirst(this.#filtered(accountSid, filter), page)).map(toCall);
  }

  /** Any column filtered, any column sorted, by offset, with the total (the native v1 API). */
  query(accountSid: string, query: ListQuery<CallsTable>): Promise<ListResult<Call>> {
    return runListQuery(this.db, 'calls', accountSid, query, toCall);
  }

  async remove(sid: string, accountSid: string): Promise<boolean> {
    const result = await this.db.deleteFrom('calls').where('sid', '=', sid).where('account_sid', '=', accountSid).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

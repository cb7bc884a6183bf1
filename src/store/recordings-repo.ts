import type { Kysely, Selectable, Updateable } from 'kysely';
import { pageNewestFirst, runListQuery, type ListQuery, type ListResult, type PageQuery } from './list-query.js';
import { isoNow } from './now.js';
import type { Database, RecordingsTable, RecordingStatus } from './schema.js';
import { newSid } from './sid.js';

/** A recording of a call (Twilio's Recording resource, less what is derived: URI, media URL, price). */
export interface Recording {
  readonly sid: string;
  readonly accountSid: string;
  readonly callSid: string | null;
  readonly status: RecordingStatus;
  /** 1 or 2. */
  readonly channels: number;
  /** How it was made: `RecordVerb`, `DialVerb`, `Conference`, `OutboundAPI`, `StartCallRecordingAPI`… */
  readonly source: string;
  /** Whole seconds; null until it is completed. */
  readonly duration: number | null;
  readonly startTime: string;
  /** Relative to the data directory; null while there is no file. */
  readonly filePath: string | null;
  /** Why it is absent or failed (16101 too short, 16102 silent). */
  readonly errorCode: number | null;
  readonly dateCreated: string;
  readonly dateUpdated: string;
}

export type NewRecording = Pick<Recording, 'accountSid' | 'source'> &
  Partial<Pick<Recording, 'sid' | 'callSid' | 'status' | 'channels' | 'startTime' | 'filePath'>>;

export interface RecordingFilter {
  readonly callSid?: string;
  readonly createdAfter?: string;
  readonly createdBefore?: string;
}

export type RecordingPatch = Partial<Pick<Recording, 'status' | 'channels' | 'duration' | 'filePath' | 'errorCode'>>;

function toRecording(r: Selectable<RecordingsTable>): Recording {
  return {
    sid: r.sid,
    accountSid: r.account_sid,
    callSid: r.call_sid,
    status: r.status,
    channels: r.channels,
    source: r.source,
    duration: r.duration,
    startTime: r.start_time,
    filePath: r.file_path,
    errorCode: r.error_code,
    dateCreated: r.date_created,
    dateUpdated: r.date_updated,
  };
}

export class RecordingsRepo {
  constructor(readonly db: Kysely<Database>) {}

  async create(input: NewRecording): Promise<Recording> {
    const now = isoNow();
    const row: Selectable<RecordingsTable> = {
      sid: input.sid ?? newSid('RE'),
      account_sid: input.accountSid,
      call_sid: input.callSid ?? null,
      status: input.status ?? 'in-progress',
      channels: input.channels ?? 1,
      source: input.source,
      duration: null,
      start_time: input.startTime ?? now,
      file_path: input.filePath ?? null,
      error_code: null,
      date_created: now,
      date_updated: now,
    };
    await this.db.insertInto('recordings').values(row).execute();
    return toRecording(row);
  }

  async get(sid: string, accountSid?: string): Promise<Recording | undefined> {
    let q = this.db.selectFrom('recordings').selectAll().where('sid', '=', sid);
    if (accountSid !== undefined) q = q.where('account_sid', '=', accountSid);
    const row = await q.executeTakeFirst();
    return row && toRecording(row);
  }

  async update(sid: string, patch: RecordingPatch): Promise<void> {
    const set: Updateable<RecordingsTable> = { date_updated: isoNow() };
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.channels !== undefined) set.channels = patch.channels;
    if (patch.duration !== undefined) set.duration = patch.duration;
    if (patch.filePath !== undefined) set.file_path = patch.filePath;
    if (patch.errorCode !== undefined) set.error_code = patch.errorCode;
    await this.db.updateTable('recordings').set(set).where('sid', '=', sid).execute();
  }

  /** An account's recordings, newest first, optionally of one call and created within bounds (ISO, inclusive); pages like calls. */
  async page(accountSid: string, filter: RecordingFilter, page: PageQuery): Promise<Recording[]> {
    let q = this.db.selectFrom('recordings').selectAll().where('account_sid', '=', accountSid);
    if (filter.callSid !== undefined) q = q.where('call_sid', '=', filter.callSid);
    if (filter.createdAfter !== undefined) q = q.where('date_created', '>=', filter.createdAfter);
    if (filter.createdBefore !== undefined) q = q.where('date_created', '<=', filter.createdBefore);
    return (await pageNewestFirst(q, page)).map(toRecording);
  }

  /** One page of an account's recordings, filtered and sorted on columns (the native API's lists). */
  async query(accountSid: string, query: ListQuery<RecordingsTable>): Promise<ListResult<Recording>> {
    return runListQuery(this.db, 'recordings', accountSid, query, toRecording);
  }

  async remove(sid: string, accountSid: string): Promise<boolean> {
    const result = await this.db.deleteFrom('recordings').where('sid', '=', sid).where('account_sid', '=', accountSid).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The recordings of one call, oldest first. */
  async listByCall(callSid: string, accountSid: string): Promise<Recording[]> {
    const rows = await this.db
      .selectFrom('recordings')
      .selectAll()
      .where('call_sid', '=', callSid)
      .where('account_sid', '=', accountSid)
      .orderBy('date_created', 'asc')
      .orderBy('sid', 'asc')
      .execute();
    return rows.map(toRecording);
  }
}

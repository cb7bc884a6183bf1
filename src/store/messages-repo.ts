import type { Kysely, Selectable } from 'kysely';
import { pageNewestFirst, runListQuery, type ListQuery, type ListResult, type PageQuery } from './list-query.js';
import { isoNow } from './now.js';
import type { Database, MessageDirection, MessagesTable, MessageStatus } from './schema.js';
import { newSid } from './sid.js';

export interface Message {
  readonly sid: string;
  readonly accountSid: string;
  readonly from: string;
  readonly to: string;
  readonly body: string;
  readonly direction: MessageDirection;
  readonly status: MessageStatus;
  readonly numSegments: number;
  readonly mediaUrls: readonly string[];
  readonly messagingServiceSid: string | null;
  readonly statusCallback: string | null;
  readonly applicationSid: string | null;
  readonly errorCode: number | null;
  readonly errorMessage: string | null;
  readonly price: string | null;
  readonly priceUnit: string;
  readonly apiVersion: string;
  readonly dateSent: string | null;
  readonly dateCreated: string;
  readonly dateUpdated: string;
}

export type NewMessage = Pick<Message, 'accountSid' | 'from' | 'to' | 'body' | 'direction' | 'numSegments'> &
  Partial<Pick<Message, 'status' | 'mediaUrls' | 'messagingServiceSid' | 'statusCallback' | 'applicationSid'>>;

export interface MessageFilter {
  readonly to?: string;
  readonly from?: string;
  /** ISO bounds on the sent time, inclusive. */
  readonly dateSentAfter?: string;
  readonly dateSentBefore?: string;
}

function toMessage(r: Selectable<MessagesTable>): Message {
  return {
    sid: r.sid,
    accountSid: r.account_sid,
    from: r.from,
    to: r.to,
    body: r.body,
    direction: r.direction,
    status: r.status,
    numSegments: Number(r.num_segments),
    mediaUrls: JSON.parse(r.media_urls) as string[],
    messagingServiceSid: r.messaging_service_sid,
    statusCallback: r.status_callback,
    applicationSid: r.application_sid,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    price: r.price,
    priceUnit: r.price_unit,
    apiVersion: r.api_version,
    dateSent: r.date_sent,
    dateCreated: r.date_created,
    dateUpdated: r.date_updated,
  };
}

export class MessagesRepo {
  constructor(readonly db: Kysely<Database>) {}

  async create(input: NewMessage): Promise<Message> {
    const now = isoNow();
    const media = input.mediaUrls ?? [];
    const row: Selectable<MessagesTable> = {
      sid: newSid(media.length > 0 ? 'MM' : 'SM'),
      account_sid: input.accountSid,
      from: input.from,
      to: input.to,
      body: input.body,
      direction: input.direction,
      status: input.status ?? 'queued',
      num_segments: input.numSegments,
      media_urls: JSON.stringify(media),
      messaging_service_sid: input.messagingServiceSid ?? null,
      status_callback: input.statusCallback ?? null,
      application_sid: input.applicationSid ?? null,
      error_code: null,
      error_message: null,
      price: null,
      price_unit: 'USD',
      api_version: '2010-04-01',
      date_sent: null,
      date_created: now,
      date_updated: now,
    };
    await this.db.insertInto('messages').values(row).execute();
    return toMessage(row);
  }

  async get(accountSid: string, sid: string): Promise<Message | undefined> {
    const row = await this.db.selectFrom('messages').selectAll().where('account_sid', '=', accountSid).where('sid', '=', sid).executeTakeFirst();
    return row && toMessage(row);
  }

  /** Newest first; pages by keyset (`after`, `before`) or offset, like calls. */
  async page(accountSid: string, filter: MessageFilter, page: PageQuery): Promise<Message[]> {
    let q = this.db.selectFrom('messages').selectAll().where('account_sid', '=', accountSid);
    if (filter.to !== undefined) q = q.where('to', '=', filter.to);
    if (filter.from !== undefined) q = q.where('from', '=', filter.from);
    if (filter.dateSentAfter !== undefined) q = q.where('date_sent', '>=', filter.dateSentAfter);
    if (filter.dateSentBefore !== undefined) q = q.where('date_sent', '<=', filter.dateSentBefore);
    return (await pageNewestFirst(q, page)).map(toMessage);
  }

  /** Any column filtered, any column sorted, by offset, with the total (the native v1 API). */
  query(accountSid: string, query: ListQuery<MessagesTable>): Promise<ListResult<Message>> {
    return runListQuery(this.db, 'messages', accountSid, query, toMessage);
  }

  async remove(accountSid: string, sid: string): Promise<boolean> {
    const result = await this.db.deleteFrom('messages').where('account_sid', '=', accountSid).where('sid', '=', sid).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

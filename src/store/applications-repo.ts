import type { Kysely, Selectable } from 'kysely';
import { runListQuery, type ListQuery, type ListResult } from './list-query.js';
import { isoNow } from './now.js';
import { DEFAULT_WEBHOOKS, webhookColumns, webhookSettings, type WebhookSettings } from './numbers-repo.js';
import type { ApplicationsTable, Database } from './schema.js';
import { newSid } from './sid.js';

export interface Application extends WebhookSettings {
  readonly sid: string;
  readonly accountSid: string;
  readonly friendlyName: string;
  readonly smsStatusCallback: string | null;
  readonly messageStatusCallback: string | null;
  readonly dateCreated: string;
  readonly dateUpdated: string;
}

export type ApplicationInput = {
  readonly friendlyName?: string;
  readonly smsStatusCallback?: string | null;
  readonly messageStatusCallback?: string | null;
} & Partial<WebhookSettings>;

function toApplication(row: Selectable<ApplicationsTable>): Application {
  return {
    sid: row.sid,
    accountSid: row.account_sid,
    friendlyName: row.friendly_name,
    ...webhookSettings(row),
    smsStatusCallback: row.sms_status_callback,
    messageStatusCallback: row.message_status_callback,
    dateCreated: row.date_created,
    dateUpdated: row.date_updated,
  };
}

export class ApplicationsRepo {
  constructor(readonly db: Kysely<Database>) {}

  async create(accountSid: string, input: ApplicationInput = {}): Promise<Application> {
    const now = isoNow();
    const row = {
      ...(webhookColumns({ ...DEFAULT_WEBHOOKS, ...input }) as Selectable<ApplicationsTable>),
      sid: newSid('AP'),
      account_sid: accountSid,
      friendly_name: input.friendlyName ?? 'Application',
      sms_status_callback: input.smsStatusCallback ?? null,
      message_status_callback: input.messageStatusCallback ?? null,
      date_created: now,
      date_updated: now,
    };
    await this.db.insertInto('applications').values(row).execute();
    return toApplication(row);
  }

  async get(accountSid: string, sid: string): Promise<Application | undefined> {
    const row = await this.db.selectFrom('applications').selectAll().where('account_sid', '=', accountSid).where('sid', '=', sid).executeTakeFirst();
    return row && toApplication(row);
  }

  async list(accountSid: string): Promise<Application[]> {
    const rows = await this.db.selectFrom('applications').selectAll().where('account_sid', '=', accountSid).orderBy('date_created').orderBy('sid').execute();
    return rows.map(toApplication);
  }

  async update(accountSid: string, sid: string, patch: ApplicationInput): Promise<Application | undefined> {
    const set: Record<string, unknown> = { ...webhookColumns(patch), date_updated: isoNow() };
    if (patch.friendlyName !== undefined) set.friendly_name = patch.friendlyName;
    if (patch.smsStatusCallback !== undefined) set.sms_status_callback = patch.smsStatusCallback;
    if (patch.messageStatusCallback !== undefined) set.message_status_callback = patch.messageStatusCallback;
    await this.db.updateTable('applications').set(set).where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
    return this.get(accountSid, sid);
  }

  /** Any column filtered, any column sorted, by offset, with the total (the native v1 API). */
  query(accountSid: string, query: ListQuery<ApplicationsTable>): Promise<ListResult<Application>> {
    return runListQuery(this.db, 'applications', accountSid, query, toApplication);
  }

  async remove(accountSid: string, sid: string): Promise<boolean> {
    const result = await this.db.deleteFrom('applications').where('account_sid', '=', accountSid).where('sid', '=', sid).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

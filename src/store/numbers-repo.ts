import type { Kysely, Selectable } from 'kysely';
import { runListQuery, type ListQuery, type ListResult } from './list-query.js';
import { isoNow } from './now.js';
import type { Database, Dialect, HttpMethod, PhoneNumbersTable } from './schema.js';
import { newSid } from './sid.js';

export interface WebhookSettings {
  readonly voiceUrl: string | null;
  readonly voiceMethod: HttpMethod;
  readonly voiceFallbackUrl: string | null;
  readonly voiceFallbackMethod: HttpMethod;
  readonly statusCallback: string | null;
  readonly statusCallbackMethod: HttpMethod;
  readonly smsUrl: string | null;
  readonly smsMethod: HttpMethod;
  readonly smsFallbackUrl: string | null;
  readonly smsFallbackMethod: HttpMethod;
  readonly dialect: Dialect;
}

export interface PhoneNumber extends WebhookSettings {
  readonly sid: string;
  readonly accountSid: string;
  readonly phoneNumber: string;
  readonly friendlyName: string;
  readonly voiceApplicationSid: string | null;
  readonly smsApplicationSid: string | null;
  readonly dateCreated: string;
  readonly dateUpdated: string;
}

export type NumberInput = { readonly phoneNumber: string; readonly friendlyName?: string } & Partial<
  WebhookSettings & Pick<PhoneNumber, 'voiceApplicationSid' | 'smsApplicationSid'>
>;

export const DEFAULT_WEBHOOKS: WebhookSettings = {
  voiceUrl: null,
  voiceMethod: 'POST',
  voiceFallbackUrl: null,
  voiceFallbackMethod: 'POST',
  statusCallback: null,
  statusCallbackMethod: 'POST',
  smsUrl: null,
  smsMethod: 'POST',
  smsFallbackUrl: null,
  smsFallbackMethod: 'POST',
  dialect: 'twiml',
};

/** Each webhook setting's column; the REST APIs' snake_case names are these too. */
export const WEBHOOK_COLUMNS = {
  voiceUrl: 'voice_url',
  voiceMethod: 'voice_method',
  voiceFallbackUrl: 'voice_fallback_url',
  voiceFallbackMethod: 'voice_fallback_method',
  statusCallback: 'status_callback',
  statusCallbackMethod: 'status_callback_method',
  smsUrl: 'sms_url',
  smsMethod: 'sms_method',
  smsFallbackUrl: 'sms_fallback_url',
  smsFallbackMethod: 'sms_fallback_method',
  dialect: 'dialect',
} as const satisfies Record<keyof WebhookSettings, keyof PhoneNumbersTable>;

/** The settings that hold a URL and those that hold its method, each in WEBHOOK_COLUMNS' order. */
export type WebhookUrlKey = { [K in keyof WebhookSettings]: WebhookSettings[K] extends string | null ? (null extends WebhookSettings[K] ? K : never) : never }[keyof WebhookSettings];
export type WebhookMethodKey = { [K in keyof WebhookSettings]: WebhookSettings[K] extends HttpMethod ? K : never }[keyof WebhookSettings];
const KEYS = Object.keys(WEBHOOK_COLUMNS) as (keyof WebhookSettings)[];
export const WEBHOOK_URL_KEYS = KEYS.filter((k): k is WebhookUrlKey => k !== 'dialect' && !k.endsWith('Method'));
export const WEBHOOK_METHOD_KEYS = KEYS.filter((k): k is WebhookMethodKey => k.endsWith('Method'));

export function webhookColumns(w: Partial<WebhookSettings>): Partial<Selectable<PhoneNumbersTable>> {
  const out: Record<string, unknown> = {};
  for (const key of KEYS) {
    const value = w[key];
    if (value !== undefined) out[WEBHOOK_COLUMNS[key]] = value;
  }
  return out as Partial<Selectable<PhoneNumbersTable>>;
}

export function webhookSettings(row: Omit<Selectable<PhoneNumbersTable>, 'sid' | 'account_sid' | 'phone_number' | 'friendly_name' | 'voice_application_sid' | 'sms_application_sid' | 'date_created' | 'date_updated'>): WebhookSettings {
  return {
    voiceUrl: row.voice_url,
    voiceMethod: row.voice_method,
    voiceFallbackUrl: row.voice_fallback_url,
    voiceFallbackMethod: row.voice_fallback_method,
    statusCallback: row.status_callback,
    statusCallbackMethod: row.status_callback_method,
    smsUrl: row.sms_url,
    smsMethod: row.sms_method,
    smsFallbackUrl: row.sms_fallback_url,
    smsFallbackMethod: row.sms_fallback_method,
    dialect: row.dialect,
  };
}

function toNumber(row: Selectable<PhoneNumbersTable>): PhoneNumber {
  return {
    sid: row.sid,
    accountSid: row.account_sid,
    phoneNumber: row.phone_number,
    friendlyName: row.friendly_name,
    voiceApplicationSid: row.voice_application_sid,
    smsApplicationSid: row.sms_application_sid,
    ...webhookSettings(row),
    dateCreated: row.date_created,
    dateUpdated: row.date_updated,
  };
}

export class NumberInUseError extends Error {
  readonly code = 'number_in_use';
  constructor(readonly phoneNumber: string) {
    super(`${phoneNumber} is already on this node`);
  }
}

export class NumbersRepo {
  constructor(readonly db: Kysely<Database>) {}

  async add(accountSid: string, input: NumberInput): Promise<PhoneNumber> {
    if (await this.findByNumber(input.phoneNumber)) throw new NumberInUseError(input.phoneNumber);
    const now = isoNow();
    const row: Selectable<PhoneNumbersTable> = {
      ...(webhookColumns({ ...DEFAULT_WEBHOOKS, ...input }) as Selectable<PhoneNumbersTable>),
      sid: newSid('PN'),
      account_sid: accountSid,
      phone_number: input.phoneNumber,
      friendly_name: input.friendlyName ?? input.phoneNumber,
      voice_application_sid: input.voiceApplicationSid ?? null,
      sms_application_sid: input.smsApplicationSid ?? null,
      date_created: now,
      date_updated: now,
    };
    await this.db.insertInto('phone_numbers').values(row).execute();
    return toNumber(row);
  }

  async findByNumber(phoneNumber: string): Promise<PhoneNumber | undefined> {
    const row = await this.db.selectFrom('phone_numbers').selectAll().where('phone_number', '=', phoneNumber).executeTakeFirst();
    return row && toNumber(row);
  }

  async get(accountSid: string, sid: string): Promise<PhoneNumber | undefined> {
    const row = await this.db
      .selectFrom('phone_numbers')
      .selectAll()
      .where('account_sid', '=', accountSid)
      .where('sid', '=', sid)
      .executeTakeFirst();
    return row && toNumber(row);
  }

  async list(accountSid?: string): Promise<PhoneNumber[]> {
    let q = this.db.selectFrom('phone_numbers').selectAll();
    if (accountSid !== undefined) q = q.where('account_sid', '=', accountSid);
    const rows = await q.orderBy('date_created').orderBy('sid').execute();
    return rows.map(toNumber);
  }

  async update(accountSid: string, sid: string, patch: Partial<Omit<NumberInput, 'phoneNumber'>>): Promise<PhoneNumber | undefined> {
    const set: Record<string, unknown> = { ...webhookColumns(patch), date_updated: isoNow() };
    if (patch.friendlyName !== undefined) set.friendly_name = patch.friendlyName;
    if (patch.voiceApplicationSid !== undefined) set.voice_application_sid = patch.voiceApplicationSid;
    if (patch.smsApplicationSid !== undefined) set.sms_application_sid = patch.smsApplicationSid;
    await this.db.updateTable('phone_numbers').set(set).where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
    return this.get(accountSid, sid);
  }

  /** Any column filtered, any column sorted, by offset, with the total (the native v1 API). */
  query(accountSid: string, query: ListQuery<PhoneNumbersTable>): Promise<ListResult<PhoneNumber>> {
    return runListQuery(this.db, 'phone_numbers', accountSid, query, toNumber);
  }

  /** Removes by SID or by the number itself; answers whether anything was removed. */
  async remove(numberOrSid: string, accountSid?: string): Promise<boolean> {
    let q = this.db.deleteFrom('phone_numbers').where((eb) => eb.or([eb('sid', '=', numberOrSid), eb('phone_number', '=', numberOrSid)]));
    if (accountSid !== undefined) q = q.where('account_sid', '=', accountSid);
    const result = await q.executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { CredentialEpoch } from './credential-epoch.js';
import { runListQuery, type ListQuery, type ListResult } from './list-query.js';
import { isoNow } from './now.js';
import type { ApiKeysTable, Database } from './schema.js';
import { newSid } from './sid.js';

export interface ApiKey {
  readonly sid: string;
  readonly accountSid: string;
  readonly friendlyName: string;
  readonly dateCreated: string;
  readonly dateUpdated: string;
}

/** A key as created: the only time its secret is known. */
export interface NewApiKey extends ApiKey {
  readonly secret: string;
}

/** An API key as the authenticator needs it: the account it acts for and the secret's hash. */
export interface ApiKeyCredential {
  readonly accountSid: string;
  readonly secretHash: string;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 32 letters and digits, like Twilio's key secrets (~190 bits). */
function newSecret(): string {
  const bytes = randomBytes(32);
  let out = '';
  // 256 = 4 × 62 + 8: reject the top 8 values so every character is equally likely.
  for (const b of bytes) if (b < 248) out += ALPHANUMERIC[b % 62];
  return out.length >= 32 ? out.slice(0, 32) : out + newSecret().slice(0, 32 - out.length);
}

/** The secret is random and long, so one SHA-256 pass is enough to keep it from the database. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function toKey(row: Selectable<ApiKeysTable>): ApiKey {
  return { sid: row.sid, accountSid: row.account_sid, friendlyName: row.friendly_name, dateCreated: row.date_created, dateUpdated: row.date_updated };
}

export class ApiKeysRepo {
  constructor(
    readonly db: Kysely<Database>,
    readonly credentialEpoch: CredentialEpoch,
  ) {}

  async create(accountSid: string, friendlyName?: string): Promise<NewApiKey> {
    const now = isoNow();
    const secret = newSecret();
    const row: Selectable<ApiKeysTable> = {
      sid: newSid('SK'),
      account_sid: accountSid,
      friendly_name: friendlyName ?? '',
      secret_hash: hashSecret(secret),
      date_created: now,
      date_updated: now,
    };
    await this.db.insertInto('api_keys').values(row).execute();
    return { ...toKey(row), secret };
  }

  async get(accountSid: string, sid: string): Promise<ApiKey | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('account_sid', '=', accountSid).where('sid', '=', sid).executeTakeFirst();
    return row && toKey(row);
  }

  /** For authentication only: the key whatever its account. */
  async credential(sid: string): Promise<ApiKeyCredential | undefined> {
    const row = await this.db.selectFrom('api_keys').select(['account_sid', 'secret_hash']).where('sid', '=', sid).executeTakeFirst();
    return row && { accountSid: row.account_sid, secretHash: row.secret_hash };
  }

  /** For Bearer authentication (Telnyx's API), where only the secret is given: the key whose secret hashes to `secretHash`. */
  async credentialBySecretHash(secretHash: string): Promise<(ApiKeyCredential & { readonly sid: string }) | undefined> {
    const row = await this.db.selectFrom('api_keys').select(['sid', 'account_sid', 'secret_hash']).where('secret_hash', '=', secretHash).executeTakeFirst();
    return row && { sid: row.sid, accountSid: row.account_sid, secretHash: row.secret_hash };
  }

  async list(accountSid: string): Promise<ApiKey[]> {
    const rows = await this.db.selectFrom('api_keys').selectAll().where('account_sid', '=', accountSid).orderBy('date_created').orderBy('sid').execute();
    return rows.map(toKey);
  }

  async update(accountSid: string, sid: string, patch: { friendlyName?: string }): Promise<ApiKey | undefined> {
    const set: { date_updated: string; friendly_name?: string } = { date_updated: isoNow() };
    if (patch.friendlyName !== undefined) set.friendly_name = patch.friendlyName;
    await this.db.updateTable('api_keys').set(set).where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
    return this.get(accountSid, sid);
  }

  /** Any column but the secret's hash filtered or sorted, by offset, with the total (the native v1 API). */
  query(accountSid: string, query: ListQuery<Omit<ApiKeysTable, 'secret_hash'>>): Promise<ListResult<ApiKey>> {
    return runListQuery(this.db, 'api_keys', accountSid, query, toKey);
  }

  async remove(accountSid: string, sid: string): Promise<boolean> {
    const result = await this.db.deleteFrom('api_keys').where('account_sid', '=', accountSid).where('sid', '=', sid).executeTakeFirst();
    this.credentialEpoch.advance();
    return Number(result.numDeletedRows) > 0;
  }
}

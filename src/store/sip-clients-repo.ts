import type { Kysely, Selectable } from 'kysely';
import { isoNow } from './now.js';
import type { Database, SipClientsTable } from './schema.js';
import { newSid } from './sid.js';

/** A SIP client of an account: who may register, and be rung by `<Dial><Client>`. */
export interface SipClient {
  readonly sid: string;
  readonly accountSid: string;
  readonly username: string;
  readonly realm: string;
  readonly dateCreated: string;
  readonly dateUpdated: string;
}

/** SIP usernames: what a softphone's account settings and `<Client>` both accept as is. */
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class SipClientExistsError extends Error {
  readonly code = 'sip_client_exists';
  constructor(readonly username: string) {
    super(`a SIP client named ${username} already exists`);
  }
}

export class InvalidSipUsernameError extends Error {
  readonly code = 'invalid_sip_username';
  constructor(readonly username: string) {
    super(`${JSON.stringify(username)} is not a SIP username: letters, digits, '.', '_' and '-', at most 64, starting with a letter or digit`);
  }
}

function toClient(row: Selectable<SipClientsTable>): SipClient {
  return {
    sid: row.sid,
    accountSid: row.account_sid,
    username: row.username,
    realm: row.realm,
    dateCreated: row.date_created,
    dateUpdated: row.date_updated,
  };
}

export class SipClientsRepo {
  constructor(readonly db: Kysely<Database>) {}

  /** `ha1`: H(username:realm:password) in MD5 and SHA-256, made by the caller (the store keeps no password). */
  async create(
    accountSid: string,
    input: { readonly username: string; readonly realm: string; readonly ha1: { readonly md5: string; readonly sha256: string } },
  ): Promise<SipClient> {
    if (!USERNAME.test(input.username)) throw new InvalidSipUsernameError(input.username);
    if ((await this.byUsername(input.username)) !== undefined) throw new SipClientExistsError(input.username);
    const now = isoNow();
    const row: Selectable<SipClientsTable> = {
      sid: newSid('CR'),
      account_sid: accountSid,
      username: input.username,
      realm: input.realm,
      ha1_md5: input.ha1.md5,
      ha1_sha256: input.ha1.sha256,
      date_created: now,
      date_updated: now,
    };
    await this.db.insertInto('sip_clients').values(row).execute();
    return toClient(row);
  }

  async byUsername(username: string): Promise<SipClient | undefined> {
    const row = await this.db.selectFrom('sip_clients').selectAll().where('username', '=', username).executeTakeFirst();
    return row === undefined ? undefined : toClient(row);
  }

  /** The stored H(username:realm:password) for `hash`, when the client exists for `realm`. */
  async ha1(username: string, realm: string, hash: 'MD5' | 'SHA-256'): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('sip_clients')
      .select(['ha1_md5', 'ha1_sha256'])
      .where('username', '=', username)
      .where('realm', '=', realm)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return hash === 'MD5' ? row.ha1_md5 : row.ha1_sha256;
  }

  async list(accountSid: string): Promise<SipClient[]> {
    const rows = await this.db.selectFrom('sip_clients').selectAll().where('account_sid', '=', accountSid).orderBy('username').execute();
    return rows.map(toClient);
  }

  /** Whether a client of that name existed (and is gone). */
  async remove(accountSid: string, username: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('sip_clients')
      .where('account_sid', '=', accountSid)
      .where('username', '=', username)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}

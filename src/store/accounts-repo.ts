import type { Kysely, Selectable } from 'kysely';
import type { CredentialEpoch } from './credential-epoch.js';
import { isoNow } from './now.js';
import type { AccountsTable, Database } from './schema.js';
import { newAuthToken, newSid } from './sid.js';

export interface Account {
  readonly sid: string;
  readonly friendlyName: string;
  readonly authToken: string;
  readonly status: AccountsTable['status'];
  readonly dateCreated: string;
  readonly dateUpdated: string;
}

function toAccount(row: Selectable<AccountsTable>): Account {
  return {
    sid: row.sid,
    friendlyName: row.friendly_name,
    authToken: row.auth_token,
    status: row.status,
    dateCreated: row.date_created,
    dateUpdated: row.date_updated,
  };
}

export class AccountsRepo {
  constructor(
    readonly db: Kysely<Database>,
    readonly credentialEpoch: CredentialEpoch,
  ) {}

  /**
   * Creates an account. The SID may be given: an application moving from SignalWire
   * keeps its project UUID, so any non-empty id is accepted.
   */
  async create(input: { sid?: string; authToken?: string; friendlyName?: string } = {}): Promise<Account> {
    const now = isoNow();
    const row = {
      sid: input.sid ?? newSid('AC'),
      friendly_name: input.friendlyName ?? 'Dialtone account',
      auth_token: input.authToken ?? newAuthToken(),
      status: 'active' as const,
      date_created: now,
      date_updated: now,
    };
    await this.db.insertInto('accounts').values(row).execute();
    return toAccount(row);
  }

  async get(sid: string): Promise<Account | undefined> {
    const row = await this.db.selectFrom('accounts').selectAll().where('sid', '=', sid).executeTakeFirst();
    return row && toAccount(row);
  }

  async list(): Promise<Account[]> {
    const rows = await this.db.selectFrom('accounts').selectAll().orderBy('date_created').orderBy('sid').execute();
    return rows.map(toAccount);
  }

  async setAuthToken(sid: string, authToken: string): Promise<void> {
    await this.db.updateTable('accounts').set({ auth_token: authToken, date_updated: isoNow() }).where('sid', '=', sid).execute();
    this.credentialEpoch.advance();
  }
}

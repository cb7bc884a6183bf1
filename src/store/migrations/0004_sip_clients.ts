import type { Kysely, Migration } from 'kysely';

/**
 * SIP clients of an account (the users `<Dial><Client>` rings once they register).
 * Passwords are not kept: only the Digest HA1s for the realm they were made for.
 */
export function sipClients(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('sip_clients')
        .addColumn('sid', 'text', (c) => c.primaryKey())
        .addColumn('account_sid', 'text', (c) => c.notNull().references('accounts.sid').onDelete('cascade'))
        // One Dialtone is one SIP domain: a username names one client across accounts.
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('realm', 'text', (c) => c.notNull())
        .addColumn('ha1_md5', 'text', (c) => c.notNull())
        .addColumn('ha1_sha256', 'text', (c) => c.notNull())
        .addColumn('date_created', 'text', (c) => c.notNull())
        .addColumn('date_updated', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sip_clients_account').on('sip_clients').column('account_sid').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('sip_clients').execute();
    },
  };
}

import type { Kysely, Migration } from 'kysely';

/**
 * SIP trunks of an account: where `<Dial><Number>` sends numbers that are not the
 * account's own. The digest password is kept as given: unlike a SIP client's (where we
 * are the one checking), we answer the carrier's challenge, whose realm and nonce are only
 * known when it arrives, so no hash can be made in advance.
 */
export function trunks(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('trunks')
        .addColumn('sid', 'text', (c) => c.primaryKey())
        .addColumn('account_sid', 'text', (c) => c.notNull().references('accounts.sid').onDelete('cascade'))
        .addColumn('friendly_name', 'text', (c) => c.notNull())
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('port', 'integer', (c) => c.notNull())
        .addColumn('transport', 'text', (c) => c.notNull())
        .addColumn('username', 'text')
        .addColumn('password', 'text')
        // A JSON array of E.164 prefixes (`+1`, `+4420`) or `*`.
        .addColumn('prefixes', 'text', (c) => c.notNull())
        .addColumn('priority', 'integer', (c) => c.notNull())
        .addColumn('caller_id', 'text')
        .addColumn('strip_prefix', 'text')
        .addColumn('add_prefix', 'text')
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('date_created', 'text', (c) => c.notNull())
        .addColumn('date_updated', 'text', (c) => c.notNull())
        .addUniqueConstraint('trunks_account_name', ['account_sid', 'friendly_name'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('trunks').execute();
    },
  };
}

import type { Kysely, Migration } from 'kysely';

/** Tables of the Twilio-compatible API: API keys, messages, idempotency keys; two application callbacks. */
export function api(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('applications').addColumn('sms_status_callback', 'text').execute();
      await db.schema.alterTable('applications').addColumn('message_status_callback', 'text').execute();

      await db.schema
        .createTable('api_keys')
        .addColumn('sid', 'text', (c) => c.primaryKey())
        .addColumn('account_sid', 'text', (c) => c.notNull().references('accounts.sid').onDelete('cascade'))
        .addColumn('friendly_name', 'text', (c) => c.notNull())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('date_created', 'text', (c) => c.notNull())
        .addColumn('date_updated', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('api_keys_account').on('api_keys').column('account_sid').execute();

      await db.schema
        .createTable('messages')
        .addColumn('sid', 'text', (c) => c.primaryKey())
        .addColumn('account_sid', 'text', (c) => c.notNull().references('accounts.sid').onDelete('cascade'))
        .addColumn('from', 'text', (c) => c.notNull())
        .addColumn('to', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('num_segments', 'integer', (c) => c.notNull())
        .addColumn('media_urls', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('messaging_service_sid', 'text')
        .addColumn('status_callback', 'text')
        .addColumn('application_sid', 'text')
        .addColumn('error_code', 'integer')
        .addColumn('error_message', 'text')
        .addColumn('price', 'text')
        .addColumn('price_unit', 'text', (c) => c.notNull().defaultTo('USD'))
        .addColumn('api_version', 'text', (c) => c.notNull().defaultTo('2010-04-01'))
        .addColumn('date_sent', 'text')
        .addColumn('date_created', 'text', (c) => c.notNull())
        .addColumn('date_updated', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('messages_account_created').on('messages').columns(['account_sid', 'date_created', 'sid']).execute();

      await db.schema
        .createTable('idempotency_keys')
        .addColumn('account_sid', 'text', (c) => c.notNull().references('accounts.sid').onDelete('cascade'))
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('response', 'text')
        .addColumn('date_created', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['account_sid', 'scope', 'key'])
        .execute();
      await db.schema.createIndex('idempotency_keys_created').on('idempotency_keys').column('date_created').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of ['idempotency_keys', 'messages', 'api_keys']) await db.schema.dropTable(table).execute();
      await db.schema.alterTable('applications').dropColumn('message_status_callback').execute();
      await db.schema.alterTable('applications').dropColumn('sms_status_callback').execute();
    },
  };
}

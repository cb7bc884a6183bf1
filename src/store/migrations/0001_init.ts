import type { Kysely, Migration } from 'kysely';
import type { StoreDialect } from '../db.js';

/** The first schema. Column types are the ones both SQLite and PostgreSQL read alike. */
export function init(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('accounts')
        .addColumn('sid', 'text', (c) => c.primaryKey())
        .addColumn('friendly_name', 'text', (c) => c.notNull())
        .addColumn('auth_token', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
        .addColumn('date_created', 'text', (c) => c.notNull())
        .addColumn('date_updated', 'text', (c) => c.notNull())
        .execute();

      for (const table of ['applications', 'phone_numbers'] as const) {
        let t = db.schema
          .createTable(table)
          .addColumn('sid', 'text', (c) => c.primaryKey())
          .addColumn('account_sid', 'text', (c) => c.notNull().references('accounts.sid').onDelete('cascade'))
          .addColumn('friendly_name', 'text', (c) => c.notNull());
        if (table === 'phone_numbers') {
          t = t
            .addColumn('phone_number', 'text', (c) => c.notNull().unique())
            .addColumn('voice_application_sid', 'text', (c) => c.references('applications.sid').onDelete('set null'))
            .addColumn('sms_application_sid', 'text', (c) => c.references('applications.sid').onDelete('set null'));
        }
        for (const kind of ['voice', 'sms'] as const) {
          t = t
            .addColumn(`${kind}_url`, 'text')
            .addColumn(`${kind}_method`, 'text', (c) => c.notNull().defaultTo('POST'))
            .addColumn(`${kind}_fallback_url`, 'text')
            .addColumn(`${kind}_fallback_method`, 'text', (c) => c.notNull().defaultTo('POST'));
        }
        await t
          .addColumn('status_callback', 'text')
          .addColumn('status_callback_method', 'text', (c) => c.notNull().defaultTo('POST'))
          .addColumn('dialect', 'text', (c) => c.notNull().defaultTo('twiml'))
          .addColumn('date_created', 'text', (c) => c.notNull())
          .addColumn('date_updated', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex(`${table}_account`).on(table).column('account_sid').execute();
      }

      await db.schema
        .createTable('calls')
        .addColumn('sid', 'text', (c) => c.primaryKey())
        .addColumn('account_sid', 'text', (c) => c.notNull().references('accounts.sid').onDelete('cascade'))
        .addColumn('parent_call_sid', 'text')
        .addColumn('phone_number_sid', 'text')
        .addColumn('from', 'text', (c) => c.notNull())
        .addColumn('to', 'text', (c) => c.notNull())
        .addColumn('caller_name', 'text')
        .addColumn('forwarded_from', 'text')
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('start_time', 'text')
        .addColumn('end_time', 'text')
        .addColumn('duration', 'integer')
        .addColumn('answered_by', 'text')
        .addColumn('api_version', 'text', (c) => c.notNull().defaultTo('2010-04-01'))
        .addColumn('sip_call_id', 'text')
        .addColumn('date_created', 'text', (c) => c.notNull())
        .addColumn('date_updated', 'text', (c) => c.notNull())
        .execute();
      // Listing newest first within an account is the common query (REST paging).
      await db.schema.createIndex('calls_account_created').on('calls').columns(['account_sid', 'date_created', 'sid']).execute();
      await db.schema.createIndex('calls_parent').on('calls').column('parent_call_sid').execute();

      await db.schema
        .createTable('call_events')
        .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
          dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('call_sid', 'text', (c) => c.notNull().references('calls.sid').onDelete('cascade'))
        .addColumn('account_sid', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addUniqueConstraint('call_events_call_seq', ['call_sid', 'seq'])
        .execute();

      await db.schema
        .createTable('recordings')
        .addColumn('sid', 'text', (c) => c.primaryKey())
        .addColumn('account_sid', 'text', (c) => c.notNull().references('accounts.sid').onDelete('cascade'))
        .addColumn('call_sid', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('channels', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('duration', 'integer')
        .addColumn('start_time', 'text', (c) => c.notNull())
        .addColumn('file_path', 'text')
        .addColumn('error_code', 'integer')
        .addColumn('date_created', 'text', (c) => c.notNull())
        .addColumn('date_updated', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('recordings_account_created').on('recordings').columns(['account_sid', 'date_created', 'sid']).execute();
      await db.schema.createIndex('recordings_call').on('recordings').column('call_sid').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of ['recordings', 'call_events', 'calls', 'phone_numbers', 'applications', 'accounts']) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}
